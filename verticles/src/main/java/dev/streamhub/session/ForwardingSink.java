package dev.streamhub.session;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.subscribe.Sink;
import io.vertx.core.Handler;

/**
 * A {@link Sink} that hands every call to another sink unchanged: the base of the session's sink
 * wrappers ({@link CountedSink}, the session's moving sink), each of which overrides only the one
 * call it adds to. A wrapper that forgets a call cannot then silently drop it (as a default method
 * of {@link Sink} would).
 */
abstract class ForwardingSink implements Sink {

  /** The sink every call goes on to. */
  protected final Sink sink;

  ForwardingSink(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void begin() {
    sink.begin();
  }

  @Override
  public void send(Event event) {
    sink.send(event);
  }

  @Override
  public void replayed(int count) {
    sink.replayed(count);
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
