package dev.streamhub.session;

import dev.streamhub.stats.EdgeStats;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.subscribe.Sink;
import io.vertx.core.Handler;

/**
 * A transport's {@link Sink} that counts each event it is handed in {@link EdgeStats#delivered}, and
 * those read from the log in {@link EdgeStats#replayed}, under the session's transport name, so every transport is counted the same way, in one place.
 */
final class CountedSink implements Sink {

  private final Sink sink;
  private final EdgeStats stats;
  private final String transport;

  CountedSink(Sink sink, EdgeStats stats, String transport) {
    this.sink = sink;
    this.stats = stats;
    this.transport = transport;
  }

  @Override
  public void begin() {
    sink.begin();
  }

  @Override
  public void send(Event event) {
    stats.delivered(transport);
    sink.send(event);
  }

  @Override
  public void replayed(int count) {
    if (count > 0) {
      stats.replayed(transport, count);
    }
  }

  @Override
  public void flush() {
    sink.flush();
  }

  @Override
  public boolean writeQueueFull() {
    return sink.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    sink.drainHandler(handler);
  }

  @Override
  public void end() {
    sink.end();
  }

  @Override
  public void fail(HubException error) {
    sink.fail(error);
  }
}
