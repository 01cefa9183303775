package dev.streamhub.broker;

import dev.streamhub.cluster.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live path of a node alone: a writer hands batches to this node's subscribers directly, one
 * task on the subscriber's context per burst instead of an event-bus message per batch (message,
 * delivery context, inbound queue and duplicated context per token were a tenth of the hub's CPU).
 * Every batch is still published on the stream's event-bus address, documented for in-JVM consumers
 * (for this node's only: a cluster's {@link EventBusBroker} relays batches to the other nodes, whose
 * own {@code LocalBroker} then publishes them there).
 *
 * <p>A subscriber never queues more than {@link #MAX_QUEUED_EVENTS}: past that, only the newest
 * batch is kept, and its gap sends the subscription back to the log, which has everything. Any
 * subscriber is thus bounded in memory, and always gets the newest batch, so a stream's terminal
 * event is never missed.
 *
 * <p>One instance per hub, made where the hub is assembled and handed to its writers and edges (no
 * static registry). Thread safe: writers publish from any thread.
 */
public final class LocalBroker implements Broker {

  /** Events a local subscriber holds before it keeps only the newest batch. */
  static final int MAX_QUEUED_EVENTS = 1024;

  /** The stream's address is published on for this JVM only: other nodes get batches from {@link EventBusBroker}. */
  private static final DeliveryOptions THIS_NODE = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final EventBus bus;
  private final ConcurrentHashMap<String, List<Listener>> listeners = new ConcurrentHashMap<>();

  public LocalBroker(Vertx vertx) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    EventBatchCodec.register(vertx);
  }

  @Override
  public void publish(String stream, EventBatch batch) {
    List<Listener> found = listeners.get(stream);
    if (found != null) {
      for (Listener listener : found) {
        listener.offer(batch);
      }
    }
    bus.publish(Addresses.stream(stream), batch, THIS_NODE);
  }

  /** Registered at once: the direct hand-off has nothing to propagate. */
  @Override
  public Registration subscribe(String stream, Handler<EventBatch> handler) {
    Listener listener = new Listener(stream, vertx.getOrCreateContext(), handler);
    listeners.compute(stream, (s, list) -> {
      List<Listener> to = list == null ? new CopyOnWriteArrayList<>() : list;
      to.add(listener);
      return to;
    });
    return listener;
  }

  private final class Listener implements Registration {
    private final String stream;
    private final Context context;
    private final Handler<EventBatch> handler;
    private final Queue<EventBatch> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicReference<EventBatch> newest = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;

    Listener(String stream, Context context, Handler<EventBatch> handler) {
      this.stream = stream;
      this.context = context;
      this.handler = handler;
    }

    /** On the writer's thread: queue the batch (or keep it as the newest) and make sure a drain is coming. */
    void offer(EventBatch batch) {
      int size = batch.events().size();
      if (queued.get() + size <= MAX_QUEUED_EVENTS) {
        queued.addAndGet(size);
        queue.add(batch);
      } else {
        newest.set(batch);
      }
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> drain());
      }
    }

    /** On the listener's context: everything queued, in order, then the newest batch kept aside. */
    private void drain() {
      scheduled.set(false);
      EventBatch batch;
      while ((batch = queue.poll()) != null) {
        queued.addAndGet(-batch.events().size());
        if (!closed) {
          handler.handle(batch);
        }
      }
      batch = newest.getAndSet(null);
      if (batch != null && !closed) {
        handler.handle(batch);
      }
    }

    @Override
    public Future<Void> completion() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> unregister() {
      closed = true;
      listeners.computeIfPresent(stream, (s, list) -> {
        list.remove(this);
        return list.isEmpty() ? null : list;
      });
      return Future.succeededFuture();
    }
  }
}
