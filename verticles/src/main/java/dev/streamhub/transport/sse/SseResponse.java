package dev.streamhub.transport.sse;

import dev.streamhub.config.SseConfig;
import dev.streamhub.transport.EdgeStats;
import dev.streamhub.transport.Ticker;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The {@code text/event-stream} framing of one HTTP response: headers, the {@code retry:} hint,
 * events ({@code id:}, {@code event:}, {@code data:}) and comment heartbeats.
 *
 * <p>An idle response has no timer of its own: heartbeats come from the event loop's {@link Ticker}.
 */
public final class SseResponse extends Ticker.Member {

  private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");
  /** Events gathered between flushes are written at once past this size (or half the write queue). */
  static final int FLUSH_BYTES = 8192;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final SseConfig config;
  private final EdgeStats stats;
  private final Ticker heartbeats;
  /** The gzip coding of what is written, when the client accepts it; null otherwise. */
  private final SseGzip gzip;
  private Runnable onClose = () -> {};
  private Buffer pending = Buffer.buffer();
  private final int writeQueueBytes;
  private final int flushBytes;
  private long inFlight;
  private Handler<Void> drain;

  /**
   * @param heartbeats this event loop's ticker at {@code sse_heartbeat_ms}
   * @param gzip gzip what is written (the client accepts it), or null
   */
  SseResponse(Vertx vertx, HttpServerResponse response, SseConfig config, int writeQueueBytes, EdgeStats stats,
      Ticker heartbeats, SseGzip gzip) {
    this.vertx = vertx;
    this.response = response;
    this.config = config;
    this.stats = stats;
    this.heartbeats = heartbeats;
    this.gzip = gzip;
    this.writeQueueBytes = writeQueueBytes;
    this.flushBytes = Math.min(FLUSH_BYTES, writeQueueBytes / 2);
    response.setWriteQueueMaxSize(writeQueueBytes);
    response.closeHandler(closed -> {
      stopHeartbeat();
      onClose.run();
    });
  }

  /** Runs {@code action} when the client's connection closes before the stream ended. */
  public void onClose(Runnable action) {
    this.onClose = action;
  }

  public HttpServerResponse http() {
    return response;
  }

  /** Sends status 200 and the stream headers, the retry hint, and starts heartbeats. */
  public void open() {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    if (gzip != null) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    write(Buffer.buffer("retry: " + config.retryMs() + "\n\n"));
    heartbeats.join(this);
  }

  /** A comment heartbeat, every {@code sse_heartbeat_ms} while the response is open. */
  @Override
  protected void tick() {
    if (!response.closed() && !response.ended()) {
      flush();
      write(HEARTBEAT);
    }
  }

  /**
   * One event, gathered until {@link #flush()} (or {@link #FLUSH_BYTES}); {@code id} and
   * {@code event} are left out when null. {@code data} holds no newline.
   */
  public void event(String id, String event, String data) {
    StringBuilder frame = new StringBuilder(data.length() + 48);
    if (id != null) {
      frame.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      frame.append("event: ").append(event).append('\n');
    }
    frame.append("data: ").append(data).append("\n\n");
    pending.appendString(frame.toString());
    if (pending.length() >= flushBytes) {
      flush();
    }
  }

  /** Writes the gathered events as one chunk. */
  public void flush() {
    if (pending.length() > 0 && !response.ended() && !response.closed()) {
      Buffer chunk = pending;
      pending = Buffer.buffer();
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
    stats.wrote(length);
    inFlight += length;
    response.write(gzip == null ? bytes : gzip.compress(bytes)).onComplete(written -> {
      inFlight -= length;
      if (drain != null && inFlight <= writeQueueBytes / 2) {
        Handler<Void> drained = drain;
        drain = null;
        drained.handle(null);
      }
    });
  }

  /** True while the bytes handed to the socket but not yet taken by it reach {@code http_write_queue_bytes}. */
  public boolean writeQueueFull() {
    return inFlight >= writeQueueBytes || response.writeQueueFull();
  }

  /** Called once when the bytes in flight fall to half the write queue. */
  public void drainHandler(Handler<Void> handler) {
    if (inFlight <= writeQueueBytes / 2 && !response.writeQueueFull()) {
      vertx.runOnContext(v -> handler.handle(null));
    } else {
      drain = handler;
    }
  }

  public void end() {
    flush();
    stopHeartbeat();
    if (!response.ended() && !response.closed()) {
      if (gzip == null) {
        response.end();
      } else {
        response.end(gzip.finish());
      }
    }
  }

  private void stopHeartbeat() {
    heartbeats.leave(this);
  }
}
