package dev.streamhub.broker;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * The live path: how batches a writer appended reach the subscribers of their stream, on this node
 * and (clustered) on every other. One implementation is chosen once, where the hub is assembled
 * ({@code Hub}): {@link LocalBroker} for a node alone, {@link EventBusBroker} for a cluster.
 *
 * <p>Invariants every implementation keeps (what {@code Subscription} relies on to resume exactly):
 * <ul>
 *   <li>{@link #publish} is called only after the log acknowledged the batch (append, then publish),
 *       so whatever a subscriber could see live it can also read from the log;</li>
 *   <li>once a registration's {@link Registration#completion} succeeded, every batch published for
 *       its stream afterwards reaches its handler, in publish order, on the context that subscribed,
 *       except that a subscriber may lag behind its node's view of the cluster (the event bus learns
 *       of a consumer eventually): subscribers heal that from the log on their heartbeat;</li>
 *   <li>a handler may get a batch it already had, or a newer one after a gap (a bounded queue keeps
 *       only the newest batch): subscribers drop old offsets and read gaps from the log;</li>
 *   <li>every batch is also published on the stream's event-bus address
 *       ({@code streamhub.stream.<id>}), documented for in-JVM consumers.</li>
 * </ul>
 */
public interface Broker {

  /** Hands {@code batch} (events of {@code stream}, contiguous, already in the log) to its subscribers. */
  void publish(String stream, EventBatch batch);

  /**
   * Calls {@code handler} with the batches published for {@code stream} from now on, on the calling
   * context (call it from the subscriber's event loop).
   */
  Registration subscribe(String stream, Handler<EventBatch> handler);

  /** Completes once the broker takes part in the live path (a cluster's: once other nodes can reach it). */
  default Future<Void> ready() {
    return Future.succeededFuture();
  }

  /** Leaves the live path (the hub stops). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** What {@link #subscribe} returns: registered once {@code completion()} succeeds. */
  interface Registration {
    Future<Void> completion();

    Future<Void> unregister();
  }
}
