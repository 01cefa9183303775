package dev.streamhub.transport.sse;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;

/** How events of a stream look as SSE: the native form, or OpenAI's chat-completion chunks. */
public interface SseFormat {

  /** The response has just opened, before the stream's first event: a format's own preamble, if any. */
  default void begin(SseResponse out) {}

  void write(Event event, SseResponse out);

  /** The subscription failed after the response started. */
  void fail(HubException error, SseResponse out);

  /**
   * The node is draining: whether a client of this format can resume on another node (it is then
   * told at once with {@link #reconnect}); a client that cannot is let run until the drain deadline
   * and then gets a {@code draining} failure.
   */
  default boolean resumable() {
    return false;
  }

  /** Tells a resumable client to reconnect elsewhere from offset {@code next}; the response ends next. */
  default void reconnect(long next, SseResponse out) {
    fail(new HubException(ErrorCode.DRAINING, "this node is shutting down; the stream goes on at offset " + next
        + " on another node"), out);
  }
}
