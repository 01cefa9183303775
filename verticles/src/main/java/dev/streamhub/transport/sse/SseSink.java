package dev.streamhub.transport.sse;

import dev.streamhub.session.Framing;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.subscribe.Subscription;
import io.vertx.core.Handler;

/**
 * One SSE response in one {@link SseFormat}: the {@link Sink} of its reader and the
 * {@link Framing} of its session (comment heartbeats; on a drain, the format's reconnect notice,
 * then the end of the response).
 */
final class SseSink implements Sink, Framing {

  private final SseResponse out;
  private final SseFormat format;
  private final long from;
  private Subscription reading;

  SseSink(SseResponse out, SseFormat format, long from) {
    this.out = out;
    this.format = format;
    this.from = from;
  }

  /** The reader writing here, once open: the drain's reconnect notice names its next offset. */
  void reading(Subscription subscription) {
    this.reading = subscription;
  }

  @Override
  public void begin() {
    out.open();
    format.begin(out);
  }

  @Override
  public void send(Event event) {
    format.write(event, out);
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    out.drainHandler(handler);
  }

  @Override
  public void end() {
    out.end();
  }

  @Override
  public void fail(HubException error) {
    format.fail(error, out);
    out.end();
  }

  @Override
  public void heartbeat() {
    out.heartbeat();
  }

  @Override
  public void letGo() {
    long next = from;
    if (reading != null) {
      reading.close();
      next = reading.next();
    }
    if (!out.http().headWritten()) {
      // let go while the reader was still opening: nothing was sent, so a plain 503 says it all
      if (!out.http().ended() && !out.http().closed()) {
        out.http().setStatusCode(503).putHeader("Retry-After", "1").end();
      }
      return;
    }
    format.reconnect(next, out);
    out.end();
  }
}
