package dev.streamhub.worker;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.WorkerConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.streamlog.StreamWriter;
import dev.streamhub.internal.ClusterManagers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the streams whose worker is gone with a terminal {@code error} event, code
 * {@code worker_lost}. Every {@code worker_lease_ms} the oldest node of the cluster (the only one
 * that acts, so the cluster does the work once) reads the leases ({@link Leases}); a stream is lost
 * when its worker's node is no longer a member, or when its beat has not moved for
 * {@code worker_lost_timeout_ms} as measured by this node's own clock.
 *
 * <p>A worker that is merely slow may race the error with its own events: the store refuses any
 * append after a terminal event, so the stream still ends exactly once, and the worker, refused,
 * stops. The error is appended at the lease's epoch + 1, which fences the worker out for good
 * ({@link Leases}).
 *
 * <p>Only a node on the quorum side of a network partition acts ({@link HazelcastSetup#hasQuorum}):
 * on a minority side the cluster looks as if the others died, and ending their streams there would
 * write a second history. The quorum side sees the minority's workers leave and ends their streams.
 */
public final class LeaseWatchdogVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseWatchdogVerticle.class);

  private final StreamWriter writer;
  private final WorkerConfig config;
  /** Per stream: the last beat seen and when (nanoTime) it was first seen. */
  private final Map<String, long[]> seen = new HashMap<>();
  private boolean sweeping;

  public LeaseWatchdogVerticle(StreamWriter writer, WorkerConfig config) {
    this.writer = writer;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(config.leaseMs(), id -> {
      if (!sweeping && leader() && HazelcastSetup.hasQuorum(vertx)) {
        sweeping = true;
        sweep().onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            LOG.warn("lease sweep failed: {}", ar.cause().getMessage());
          }
        });
      }
    });
    return Future.succeededFuture();
  }

  /** True on the oldest member, or when alone. */
  private boolean leader() {
    ClusterManager manager = ClusterManagers.of(vertx);
    if (manager == null) {
      return true;
    }
    List<String> nodes = manager.getNodes();
    return !nodes.isEmpty() && nodes.get(0).equals(manager.getNodeId());
  }

  private Future<Void> sweep() {
    ClusterManager manager = ClusterManagers.of(vertx);
    return Leases.map(vertx).compose(map -> map.entries().compose(leases -> {
      List<String> members = manager == null ? null : manager.getNodes();
      long now = System.nanoTime();
      seen.keySet().retainAll(leases.keySet());
      List<Future<?>> reaped = new ArrayList<>();
      leases.forEach((stream, lease) -> {
        String node = lease.getString("node");
        long beat = lease.getLong("beat", 0L);
        long[] last = seen.get(stream);
        if (last == null || last[0] != beat) {
          seen.put(stream, new long[] {beat, now});
        }
        boolean nodeLeft = members != null && !members.contains(node);
        boolean silent = last != null && last[0] == beat && now - last[1] >= config.lostTimeoutMs() * 1_000_000;
        if (nodeLeft || silent) {
          LOG.atInfo().addKeyValue("stream", stream).log("stream {} lost its worker on node {} ({})", stream, node, nodeLeft ? "node left the cluster" : "lease expired");
          long epoch = lease.getLong("epoch", Leases.WORKER_EPOCH);
          reaped.add(end(stream, epoch + 1).compose(ended -> map.remove(stream)));
          seen.remove(stream);
        }
      });
      return Future.all(reaped).mapEmpty();
    }));
  }

  /** Appends the terminal error, fencing the lost worker out; a stream that already ended is left as it is. */
  private Future<Void> end(String stream, long epoch) {
    HubException lost = new HubException(ErrorCode.WORKER_LOST, "the worker generating this stream was lost; retry the request");
    return writer.write(stream, List.of(NewEvent.error(lost)), epoch).<Void>mapEmpty().recover(err -> {
      ErrorCode code = HubException.of(err).code();
      return code == ErrorCode.STREAM_FINISHED || code == ErrorCode.STREAM_NOT_FOUND
          ? Future.succeededFuture()
          : Future.failedFuture(err);
    });
  }
}
