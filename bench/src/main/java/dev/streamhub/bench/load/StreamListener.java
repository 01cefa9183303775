package dev.streamhub.bench.load;

/** What a reader of one stream sees, on the event loop of its shard. */
public interface StreamListener {

  /** The hub accepted the subscription (status 200, headers in) at {@code atMicros}. */
  void onOpen(long atMicros);

  /**
   * One event. {@code atMicros} is when its bytes arrived (every event of one network read shares
   * it). {@code offset} is -1 for an event without an id (an error after the stream started).
   */
  void onEvent(long offset, String type, long ts, String data, long atMicros);

  /** {@code bytes} of payload arrived (SSE chunks, WebSocket messages, poll bodies; no headers). */
  default void onBytes(long bytes) {}
}
