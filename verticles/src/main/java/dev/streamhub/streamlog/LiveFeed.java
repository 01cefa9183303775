package dev.streamhub.streamlog;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.EventBatch;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.EventBus;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live path from {@link StreamWriter} to the subscriptions of this node: the batches a writer
 * publishes, after the log has them, reach every listener of the stream.
 *
 * <p>Clustered, listeners are consumers on the stream's event-bus address (other nodes publish
 * there). Alone, a node hands batches to its listeners directly: one task on the listener's context
 * per burst instead of an event-bus message per batch (message, delivery context, inbound queue and
 * duplicated context per token were a tenth of the hub's CPU). The writer still publishes on the
 * event bus in both cases: the address is documented for in-JVM consumers.
 *
 * <p>A local listener never queues more than {@link #MAX_QUEUED_EVENTS}: past that, only the newest
 * batch is kept, and its gap sends the subscription back to the log, which has everything. Any
 * listener is thus bounded in memory, and always gets the newest batch, so a stream's terminal event
 * is never missed.
 */
public final class LiveFeed {

  /** Events a local listener holds before it keeps only the newest batch. */
  static final int MAX_QUEUED_EVENTS = 1024;
  /** One feed per event bus (per Vert.x instance), held no longer than the bus. */
  private static final Map<EventBus, LiveFeed> FEEDS = Collections.synchronizedMap(new WeakHashMap<>());

  private final ConcurrentHashMap<String, List<Listener>> listeners = new ConcurrentHashMap<>();

  private LiveFeed() {}

  /**
   * The feed of {@code bus}, shared by the writers and subscriptions of its Vert.x instance; looked
   * up once per writer and per subscription, not per event.
   */
  public static LiveFeed of(EventBus bus) {
    return FEEDS.computeIfAbsent(bus, b -> new LiveFeed());
  }

  /** What {@link #listen} returns: registered once {@code completion()} succeeds. */
  public interface Registration {
    Future<Void> completion();

    Future<Void> unregister();
  }

  /**
   * Calls {@code handler} with the batches published for {@code stream} from now on, on the calling
   * context. Alone, registered at once; clustered, when the event-bus consumer is.
   */
  public Registration listen(Vertx vertx, String stream, Handler<EventBatch> handler) {
    if (vertx.isClustered()) {
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
    Listener listener = new Listener(stream, vertx.getOrCreateContext(), handler);
    listeners.compute(stream, (s, list) -> {
      List<Listener> to = list == null ? new CopyOnWriteArrayList<>() : list;
      to.add(listener);
      return to;
    });
    return listener;
  }

  /** Hands {@code batch} to this node's local listeners of {@code stream} (none when clustered). */
  void publish(String stream, EventBatch batch) {
    List<Listener> found = listeners.get(stream);
    if (found != null) {
      for (Listener listener : found) {
        listener.offer(batch);
      }
    }
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
