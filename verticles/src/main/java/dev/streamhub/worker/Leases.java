package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.WorkerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of liveness: while a stream is generated here, its entry in the shared map
 * {@code streamhub.leases} names this node and carries a beat counter the worker bumps every
 * {@code worker_lease_ms}. {@link LeaseWatchdogVerticle} ends the stream with {@code worker_lost}
 * when the beats stop or the node leaves the cluster. The counter, not a timestamp, is what is
 * compared, so clocks of different hosts need not agree.
 *
 * <p>Fencing: the lease carries an {@code epoch}, the worker's fencing token ({@link #WORKER_EPOCH});
 * every append the worker makes carries it, and the watchdog appends {@code worker_lost} at the
 * next epoch. The store checks epochs inside the append itself, so once the lease moved a worker
 * that was only cut off (not dead) can append nothing more, whatever it still believes. With
 * {@code cluster_quorum} the lease map refuses renewals on a minority side, so a partitioned worker's
 * beats stop and only the quorum side decides.
 */
final class Leases {

  /** The epoch of the worker that generates a stream: the first holder of its lease. */
  static final long WORKER_EPOCH = 1;

  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

  private final Vertx vertx;
  private final WorkerConfig config;
  private final String node;

  Leases(Vertx vertx, WorkerConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.node = HazelcastSetup.nodeId(vertx);
  }

  static Future<AsyncMap<String, JsonObject>> map(Vertx vertx) {
    return vertx.sharedData().getAsyncMap(Addresses.LEASES_MAP);
  }

  /** The id of the node whose worker holds {@code stream}'s lease, or null when none does. */
  static Future<String> holder(Vertx vertx, String stream) {
    return map(vertx).compose(map -> map.get(stream)).map(lease -> lease == null ? null : lease.getString("node"));
  }

  /** Takes the lease of {@code stream} and keeps renewing it until {@link Lease#release()}. */
  Future<Lease> hold(String stream) {
    Lease lease = new Lease(stream);
    return lease.renew().map(lease);
  }

  /** One stream's lease. */
  final class Lease {
    private final String stream;
    private long beat;
    private long timer = -1;
    private boolean released;

    private Lease(String stream) {
      this.stream = stream;
    }

    private Future<Void> renew() {
      JsonObject value = new JsonObject().put("node", node).put("beat", beat++).put("epoch", WORKER_EPOCH);
      // the TTL only collects leases nobody released nor reaped (say, the whole cluster restarted)
      return map(vertx).compose(map -> map.put(stream, value, config.lostTimeoutMs() * 10)).onComplete(ar -> {
        if (ar.failed()) {
          LOG.atWarn().addKeyValue("stream", stream).log("lease renewal failed: {}", ar.cause().getMessage());
        }
        if (!released) {
          timer = vertx.setTimer(config.leaseMs(), id -> renew());
        }
      });
    }

    /** The fencing token every append of this lease's holder carries. */
    long epoch() {
      return WORKER_EPOCH;
    }

    /**
     * Stops renewing but leaves the lease in the map: the worker cannot write the stream (the store
     * is unavailable here, say on the minority side of a partition), so the beats stop and the
     * watchdog on the quorum side ends the stream with {@code worker_lost}. Releasing it instead would
     * leave a stream nobody ends.
     */
    void abandon() {
      released = true;
      vertx.cancelTimer(timer);
    }

    /** Stops renewing and drops the lease: the stream has ended. */
    void release() {
      if (released) {
        return;
      }
      released = true;
      vertx.cancelTimer(timer);
      map(vertx).compose(map -> map.remove(stream))
          .onFailure(err -> LOG.atWarn().addKeyValue("stream", stream).log("lease release failed: {}", err.getMessage()));
    }
  }
}
