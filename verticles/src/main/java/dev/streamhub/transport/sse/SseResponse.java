package dev.streamhub.transport.sse;

import dev.streamhub.stream.Event;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The {@code text/event-stream} framing of one HTTP response: headers, the {@code retry:} hint,
 * events ({@code id:}, {@code event:}, {@code data:}) and comment heartbeats.
 *
 * <p>An idle response has no timer of its own: its session calls {@link #heartbeat} on the event
 * loop's ticker.
 */
public final class SseResponse {

  private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");
  private static final byte[] FRAME_END = {'\n', '\n'};
  /** Events gathered between flushes are written at once past this size (or half the write queue). */
  static final int FLUSH_BYTES = 8192;

  private final SseStreams streams;
  private final HttpServerResponse response;
  /** The gzip coding of what is written, when the client accepts it; null otherwise. */
  private final SseGzip gzip;
  /** The transport name its bytes are counted under ({@code sse}, {@code openai_sse}). */
  private final String transport;
  private boolean opened;
  /** Events gathered since the last flush; null when there are none. */
  private Buffer pending;
  /**
   * A frame shared with other responses of this event loop ({@link #frame}), gathered alone and
   * not copied: written as it is at the flush (Vert.x writes a slice of it), or copied into
   * {@link #pending} when a second event comes first. Null when there is none.
   */
  private Buffer shared;
  /** What {@link #pending} was allocated for, so that it grows at most once per chunk. */
  private int pendingCapacity;
  private final int writeQueueBytes;
  private final int flushBytes;
  private long inFlight;
  private Handler<Void> drain;

  /**
   * @param streams this event loop's SSE settings ({@code sse_retry_ms}, {@code http_write_queue_bytes}, counters)
   * @param gzip gzip what is written (the client accepts it), or null
   * @param transport the transport name its bytes are counted under in {@code EdgeStats}
   */
  SseResponse(SseStreams streams, HttpServerResponse response, SseGzip gzip, String transport) {
    this.streams = streams;
    this.transport = transport;
    this.response = response;
    this.gzip = gzip;
    this.writeQueueBytes = streams.writeQueueBytes();
    this.flushBytes = Math.min(FLUSH_BYTES, writeQueueBytes / 2);
    response.setWriteQueueMaxSize(writeQueueBytes);
  }

  public HttpServerResponse http() {
    return response;
  }

  /** Sends status 200 and the stream headers and the retry hint; heartbeats are written from now on. */
  public void open() {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    if (gzip != null) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    write(Buffer.buffer("retry: " + streams.config().retryMs() + "\n\n"));
    opened = true;
  }

  /** A comment heartbeat (every {@code sse_heartbeat_ms}), once {@link #open opened} and while the response is open. */
  void heartbeat() {
    if (opened && !response.closed() && !response.ended()) {
      flush();
      write(HEARTBEAT);
    }
  }

  /**
   * One event, gathered until {@link #flush()} (or {@link #FLUSH_BYTES}); {@code id} and
   * {@code event} are left out when null. {@code data} holds no newline.
   */
  public void event(String id, String event, String data) {
    String head = id == null
        ? (event == null ? "data: " : "event: " + event + "\ndata: ")
        : (event == null ? "id: " + id + "\ndata: " : "id: " + id + "\nevent: " + event + "\ndata: ");
    int frameBytes = head.length() + data.length() + 2;
    // The data is copied once into the chunk, not through a StringBuilder and its string first.
    gather(frameBytes).appendString(head).appendString(data).appendBytes(FRAME_END);
    if (pending.length() >= flushBytes) {
      flush();
    }
  }

  /** An event in the native form ({@code id: <offset>}, {@code event: <type>}, {@code data: <event JSON>}), framed once per event loop. */
  void nativeEvent(Event event) {
    frame(streams.nativeFrame(event));
  }

  /**
   * One whole frame ({@code id:}, {@code event:}, {@code data:} and the blank line), made once for
   * every response of this event loop that sends the same event ({@link SseStreams#nativeFrame});
   * gathered like {@link #event} and never modified here. A live event, which is usually flushed
   * alone, is then written with no copy of its bytes per response.
   */
  void frame(Buffer frame) {
    if (pending == null && shared == null) {
      shared = frame;
    } else {
      gather(frame.length()).appendBuffer(frame);
    }
    if (gathered() >= flushBytes) {
      flush();
    }
  }

  /** {@link #pending}, with room for {@code frameBytes} more (and the shared frame copied into it first). */
  private Buffer gather(int frameBytes) {
    if (shared != null) {
      Buffer first = shared;
      shared = null;
      pendingCapacity = Math.max(flushBytes, first.length()) + frameBytes;
      pending = Buffer.buffer(pendingCapacity).appendBuffer(first);
    } else if (pending == null) {
      // Sized for this event (ASCII): a live event is usually flushed alone.
      pendingCapacity = frameBytes;
      pending = Buffer.buffer(pendingCapacity);
    } else if (pending.length() + frameBytes > pendingCapacity) {
      // Events come in a batch (a page of the log): room for the whole chunk at once, rather than
      // doubling from one event's size up to FLUSH_BYTES.
      pendingCapacity = Math.max(flushBytes, pending.length()) + frameBytes;
      pending = Buffer.buffer(pendingCapacity).appendBuffer(pending);
    }
    return pending;
  }

  /** Bytes gathered and not written yet. */
  private int gathered() {
    return (pending == null ? 0 : pending.length()) + (shared == null ? 0 : shared.length());
  }

  /** Writes the gathered events as one chunk. */
  public void flush() {
    if ((pending != null || shared != null) && !response.ended() && !response.closed()) {
      Buffer chunk = pending != null ? pending : shared;
      pending = null;
      shared = null;
      write(chunk);
    }
  }

  /**
   * Writes and counts the bytes until the socket took them. Vert.x's own {@code writeQueueFull()}
   * counts queued writes, not bytes, so a few large chunks could pass it; this count is what
   * {@code http_write_queue_bytes} bounds.
   */
  private void write(Buffer bytes) {
    int length = bytes.length();
    streams.stats().wrote(transport, length);
    inFlight += length;
    streams.stats().held(length);
    response.write(gzip == null ? bytes : gzip.compress(bytes)).onComplete(written -> {
      inFlight -= length;
      streams.stats().held(-length);
      if (drain != null && inFlight <= writeQueueBytes / 2) {
        Handler<Void> drained = drain;
        drain = null;
        drained.handle(null);
      }
    });
  }

  /** True while the bytes handed to the socket but not yet taken by it reach {@code http_write_queue_bytes}. */
  public boolean writeQueueFull() {
    // the gathered chunk not yet written counts too: a subscription that pauses here flushes it, and
    // the hub then holds at most http_write_queue_bytes plus the one event that crossed the mark
    return inFlight + gathered() >= writeQueueBytes || response.writeQueueFull();
  }

  /** Called once when the bytes in flight fall to half the write queue. */
  public void drainHandler(Handler<Void> handler) {
    if (inFlight <= writeQueueBytes / 2 && !response.writeQueueFull()) {
      streams.vertx().runOnContext(v -> handler.handle(null));
    } else {
      drain = handler;
    }
  }

  public void end() {
    flush();
    if (!response.ended() && !response.closed()) {
      if (gzip == null) {
        response.end();
      } else {
        response.end(gzip.finish());
      }
    }
  }
}
