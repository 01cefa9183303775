package dev.streamhub.broker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live path of a cluster: a node's readers get batches from a {@link LocalBroker}, fed by this
 * node's writers directly and by the other nodes through one event-bus address for them all
 * ({@link Addresses#LIVE}), many streams' batches to one message.
 *
 * <p>Sending: each batch a writer here publishes goes to the local readers at once, and to an
 * outbox; one task, queued on the publishing event loop behind the tasks already there, empties the outbox into one {@link RelayedBatches}
 * message, published on {@link Addresses#LIVE}, which the event bus sends once to each other node
 * (encoded once for them all, each event's wire text reused). There is no timer: a batch published
 * with nothing queued leaves on the next turn of the event loop, and batches published while the
 * loop is busy (a burst of store acknowledgements) leave together. Before, each batch was one
 * event-bus message to each node that had a consumer of its stream: a message, a node lookup and a
 * JSON encode and parse per stream per token, and a clustered consumer registration (a Hazelcast
 * multimap write seen by every node) per stream per reading node.
 *
 * <p>Receiving: each node's relay consumer hands the batches of other nodes to its
 * {@link LocalBroker}, which gives them to the readers of their streams here (if any) and publishes
 * them on the streams' addresses for this JVM. So a stream's events cross to each other node once,
 * however many of its readers are there, and a reader's registration is complete at once (no
 * cluster-wide registration to wait for); a node the sender has not yet heard of (it just joined)
 * misses batches until it has, which its readers heal from the log on their heartbeat, as before.
 *
 * <p>Order: a node's batches reach another node in the order they were published (one queue, one
 * sending context, one connection per pair of nodes). What the {@link Broker} invariants allow
 * (duplicates, gaps when a reader's queue is full) is unchanged.
 */
public final class EventBusBroker implements Broker {

  /** Events per relay message at most: a backlog leaves as several modest messages. */
  static final int MAX_EVENTS_PER_MESSAGE = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(EventBusBroker.class);

  private final EventBus bus;
  private final LocalBroker local;
  private final String origin;
  private final Context context;
  private final Queue<EventBatch> outbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final MessageConsumer<RelayedBatches> relay;
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder eventsReceived = new LongAdder();

  public EventBusBroker(Vertx vertx) {
    this.bus = vertx.eventBus();
    this.local = new LocalBroker(vertx);
    // this broker, not just this node: two hubs on one Vert.x (tests) get each other's batches
    this.origin = HazelcastSetup.nodeId(vertx) + "/" + UUID.randomUUID();
    this.context = vertx.getOrCreateContext();
    EventBatchCodec.register(vertx);
    RelayedBatchesCodec.register(vertx);
    this.relay = bus.consumer(Addresses.LIVE, message -> onRelayed(message.body()));
  }

  @Override
  public void publish(String stream, EventBatch batch) {
    local.publish(stream, batch);
    outbox.add(batch);
    if (flushScheduled.compareAndSet(false, true)) {
      // on the publisher's own event loop, after the tasks already queued there (the rest of a burst)
      Context current = Vertx.currentContext();
      (current != null ? current : context).runOnContext(v -> flush());
    }
  }

  @Override
  public Registration subscribe(String stream, Handler<EventBatch> handler) {
    return local.subscribe(stream, handler);
  }

  /** Once the relay consumer is registered in the cluster. */
  @Override
  public Future<Void> ready() {
    return relay.completion();
  }

  @Override
  public Future<Void> close() {
    return relay.unregister();
  }

  /** Relay messages this node published (each reaches every other node once); for tests and metrics. */
  public long messagesSent() {
    return messagesSent.sum();
  }

  /** Relay messages from other nodes this node received; for tests and metrics. */
  public long messagesReceived() {
    return messagesReceived.sum();
  }

  /** Events those messages carried. */
  public long eventsReceived() {
    return eventsReceived.sum();
  }

  private void flush() {
    flushScheduled.set(false);
    List<EventBatch> taken = new ArrayList<>();
    int events = 0;
    EventBatch batch;
    while ((batch = outbox.poll()) != null) {
      taken.add(batch);
      events += batch.events().size();
      if (events >= MAX_EVENTS_PER_MESSAGE) {
        send(taken);
        taken = new ArrayList<>();
        events = 0;
      }
    }
    if (!taken.isEmpty()) {
      send(taken);
    }
  }

  private void send(List<EventBatch> batches) {
    messagesSent.increment();
    try {
      bus.publish(Addresses.LIVE, new RelayedBatches(origin, batches));
    } catch (RuntimeException e) {
      // Vert.x 5.0.8 can throw here ("Promise already completed" from OutboundConnection.writeMessage) when
      // a peer's connection closes under the send (a node leaving in a rolling restart); thrown out of
      // flush(), it left the rest of the outbox waiting for the next publish and logged an ERROR with a
      // stack. Nodes that missed this message read the gap from the log at their next live event.
      LOG.debug("relay message to the other nodes failed: {}", e.toString());
    }
  }

  private void onRelayed(RelayedBatches relayed) {
    if (relayed.origin().equals(origin)) {
      return; // this broker's own readers had them from publish()
    }
    messagesReceived.increment();
    for (EventBatch batch : relayed.batches()) {
      eventsReceived.add(batch.events().size());
      local.publish(batch.stream(), batch);
    }
  }
}
