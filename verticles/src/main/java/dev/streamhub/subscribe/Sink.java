package dev.streamhub.subscribe;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import io.vertx.core.Handler;

/**
 * What a transport gives a {@link Subscription}: somewhere to write events, in offset order, and a
 * way to tell it to stop pushing. All methods are called on the subscriber's context.
 */
public interface Sink {

  /** Called once, before the first event, after the stream and offset were validated. */
  default void begin() {}

  /** Writes one event; the subscription has already dropped duplicates and filled gaps. */
  void send(Event event);

  /**
   * Of the events handed over since the previous call, {@code count} were read from the log rather
   * than taken live (called once per page of the log; for metrics, nothing to write).
   */
  default void replayed(int count) {}

  /**
   * The subscription has handed over everything it has for now (a page of the log, or a batch of
   * live events): a transport that gathers events into one write sends them now.
   */
  default void flush() {}

  /** True while the transport's write queue is above its high-water mark. */
  boolean writeQueueFull();

  /** Called once when the write queue drains below its low-water mark. */
  void drainHandler(Handler<Void> handler);

  /** The stream's terminal event has been sent: nothing follows (a gathering transport flushes first). */
  void end();

  /** The subscription cannot go on (say, events it had not sent yet expired from the log). */
  void fail(HubException error);
}
