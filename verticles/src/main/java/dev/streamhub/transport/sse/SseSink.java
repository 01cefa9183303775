package dev.streamhub.transport.sse;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.subscribe.Sink;
import io.vertx.core.Handler;

/** A {@link Sink} writing to one SSE response in one {@link SseFormat}. */
public final class SseSink implements Sink {

  private final SseResponse out;
  private final SseFormat format;

  public SseSink(SseResponse out, SseFormat format) {
    this.out = out;
    this.format = format;
  }

  @Override
  public void begin() {
    out.open();
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
}
