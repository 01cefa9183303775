package dev.streamhub.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Vert.x's event-bus meters with the two per-message counters that need no handler kept instead of
 * rebuilt per message: {@code vertx_eventbus_published_total{side}} / {@code vertx_eventbus_sent_total{side}}
 * and {@code vertx_eventbus_received_total{side}} of a message no handler took (every stream batch is
 * published on its address for in-JVM consumers, usually none: see {@link LeanVertxMetrics}). The
 * same meters as {@code vertx-micrometer-metrics} 5.0's {@code VertxEventBusMetrics} with the
 * labels {@link HubMetrics#enable} turns on ({@code side}, no address); a message that reaches
 * handlers, and everything else, goes to Vert.x's own ({@code delegate}), which keeps the pending
 * gauges that its handler metrics count down. Internal {@code __vertx.*} addresses are not counted, as in Vert.x.
 */
final class LeanEventBusMetrics<H> implements EventBusMetrics<H> {

  private static final String BASE = "vertx.eventbus.";

  private final EventBusMetrics<H> delegate;
  private final MeterRegistry registry;
  /**
   * Indexed by {@link #index}: published, sent, received, each for side local then remote; each
   * registered when first counted, as Vert.x does (registering twice yields the same meter, so a
   * race between event loops is harmless).
   */
  private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(6);

  LeanEventBusMetrics(EventBusMetrics<H> delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  private Counter counter(int kind, boolean local) {
    int i = index(kind, local);
    Counter counter = counters.get(i);
    if (counter == null) {
      String name = kind == 0 ? "published" : kind == 1 ? "sent" : "received";
      String description = kind == 0 ? "Number of messages published (publish / subscribe)"
          : kind == 1 ? "Number of messages sent (point-to-point)" : "Number of messages received";
      counter = Counter.builder(BASE + name).description(description).tag("side", local ? "local" : "remote").register(registry);
      counters.set(i, counter);
    }
    return counter;
  }

  private static int index(int kind, boolean local) {
    return kind * 2 + (local ? 0 : 1);
  }

  private static boolean internal(String address) {
    return address.startsWith("__vertx.");
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    if (!internal(address)) {
      counter(publish ? 0 : 1, local).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    if (handlers > 0) {
      delegate.messageReceived(address, publish, local, handlers);
    } else if (!internal(address)) {
      counter(2, local).increment();
    }
  }

  @Override
  public H handlerRegistered(String address) {
    return delegate.handlerRegistered(address);
  }

  @Override
  public void handlerUnregistered(H handler) {
    delegate.handlerUnregistered(handler);
  }

  @Override
  public void scheduleMessage(H handler, boolean local) {
    delegate.scheduleMessage(handler, local);
  }

  @Override
  public void discardMessage(H handler, boolean local, Message<?> msg) {
    delegate.discardMessage(handler, local, msg);
  }

  @Override
  public void messageDelivered(H handler, boolean local) {
    delegate.messageDelivered(handler, local);
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    delegate.messageWritten(address, numberOfBytes);
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    delegate.messageRead(address, numberOfBytes);
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    delegate.replyFailure(address, failure);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
