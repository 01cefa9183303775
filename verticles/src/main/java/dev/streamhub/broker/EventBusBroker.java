package dev.streamhub.broker;

import dev.streamhub.cluster.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The live path of a cluster: batches are published on the stream's address
 * ({@code streamhub.stream.<id>}, {@link EventBatchCodec} between nodes) and every subscriber is a
 * consumer of that address. The event bus learns of a new consumer eventually, not at once (and a
 * membership change can lose that news): subscribers cover that from the log on their heartbeat.
 */
public final class EventBusBroker implements Broker {

  private final Vertx vertx;
  private final EventBus bus;

  public EventBusBroker(Vertx vertx) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    EventBatchCodec.register(vertx);
  }

  @Override
  public void publish(String stream, EventBatch batch) {
    bus.publish(Addresses.stream(stream), batch);
  }

  @Override
  public Registration subscribe(String stream, Handler<EventBatch> handler) {
    MessageConsumer<EventBatch> consumer = vertx.eventBus().consumer(Addresses.stream(stream), message -> handler.handle(message.body()));
    return new Registration() {
      @Override
      public Future<Void> completion() {
        return consumer.completion();
      }

      @Override
      public Future<Void> unregister() {
        return consumer.unregister();
      }
    };
  }
}
