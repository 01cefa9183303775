package dev.streamhub.transport.sse;

import dev.streamhub.config.SseConfig;
import dev.streamhub.transport.EdgeStats;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * The {@code text/event-stream} framing of one HTTP response: headers, the {@code retry:} hint,
 * events ({@code id:}, {@code event:}, {@code data:}) and comment heartbeats.
 */
public final class SseResponse {

  private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final SseConfig config;
  private final EdgeStats stats;
  private long heartbeat = -1;
  private Runnable onClose = () -> {};

  public SseResponse(Vertx vertx, HttpServerResponse response, SseConfig config, int writeQueueBytes, EdgeStats stats) {
    this.vertx = vertx;
    this.response = response;
    this.config = config;
    this.stats = stats;
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
    write(Buffer.buffer("retry: " + config.retryMs() + "\n\n"));
    heartbeat = vertx.setPeriodic(config.heartbeatMs(), id -> {
      if (!response.closed() && !response.ended()) {
        write(HEARTBEAT);
      }
    });
  }

  /** One event; {@code id} and {@code event} are left out when null. {@code data} holds no newline. */
  public void event(String id, String event, String data) {
    StringBuilder frame = new StringBuilder(data.length() + 48);
    if (id != null) {
      frame.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      frame.append("event: ").append(event).append('\n');
    }
    frame.append("data: ").append(data).append("\n\n");
    write(Buffer.buffer(frame.toString()));
  }

  private void write(Buffer bytes) {
    stats.wrote(bytes.length());
    response.write(bytes);
  }

  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  public void drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
  }

  public void end() {
    stopHeartbeat();
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  private void stopHeartbeat() {
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
      heartbeat = -1;
    }
  }
}
