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
 */
final class Leases {

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
      JsonObject value = new JsonObject().put("node", node).put("beat", beat++);
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
