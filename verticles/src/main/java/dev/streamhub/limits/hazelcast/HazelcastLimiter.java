package dev.streamhub.limits.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import dev.streamhub.limits.Limiter;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide {@link Limiter}: counters in two Hazelcast maps ({@code streamhub.limits.windows},
 * {@code streamhub.limits.slots}), each change an entry processor run by the member that owns the
 * key, one at a time per partition, so two nodes can never both take the last unit of a budget.
 * Calls use the async API ({@code submitToKey}) and complete on the caller's Vert.x context. The
 * window clock is the caller's ({@code now} travels with the processor so that the backup replays it).
 * A window entry lives twice its window (Hazelcast TTL), then disappears.
 *
 * <p>Slots are held per member ({@code {memberUuid: count}} per key): the member that acquired a
 * slot holds it, a worker's member takes over a generation's slot from the edge that admitted it
 * ({@link #adopt}), and when a member leaves the cluster (it died, or was cut off and dropped) every
 * remaining member drops its slots ({@code memberRemoved}), so a dead node's connections and
 * generations stop counting against their consumers.
 *
 * <p>With {@code cluster_quorum} above 1 both maps ({@code streamhub.limits*}) are under the
 * cluster's split-brain protection, as the stream log is ({@code cluster.HazelcastSetup}): on the
 * minority side of a partition every call fails with 503 {@code store_unavailable}
 * ({@link #failsClosed}: the request is refused, not let through), so the two sides cannot each
 * admit the whole budget.
 */
public final class HazelcastLimiter implements Limiter {

  public static final String WINDOWS = "streamhub.limits.windows";
  public static final String SLOTS = "streamhub.limits.slots";

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastLimiter.class);

  /** What every call fails with on the minority side of a partition (the maps' split-brain protection refused it). */
  static final HubException NO_QUORUM = new HubException(ErrorCode.STORE_UNAVAILABLE,
      "this node is on the minority side of a network partition (fewer data members than cluster_quorum): "
          + "limits cannot be counted here; retry through another node");

  private final Vertx vertx;
  private final IMap<String, long[]> windows;
  private final IMap<String, HashMap<String, Long>> slots;
  private final HazelcastInstance hazelcast;
  /** This member: who holds the slots acquired here. */
  private final String holder;
  private final UUID membership;

  public HazelcastLimiter(Vertx vertx, HazelcastInstance hazelcast) {
    this(vertx, hazelcast, "");
  }

  /** With map names suffixed by {@code suffix} (tests: a fresh pair per limiter). */
  public HazelcastLimiter(Vertx vertx, HazelcastInstance hazelcast, String suffix) {
    this.vertx = vertx;
    this.windows = hazelcast.getMap(WINDOWS + suffix);
    this.slots = hazelcast.getMap(SLOTS + suffix);
    this.hazelcast = hazelcast;
    this.holder = hazelcast.getCluster().getLocalMember().getUuid().toString();
    this.membership = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        dropSlotsOf(event.getMember().getUuid().toString());
      }
    });
  }

  /**
   * A member left: the slots it held go back (its connections and its generations went with it).
   * Every member that sees it leave asks; dropping twice drops nothing more. Runs on a worker
   * thread ({@code executeOnEntries} blocks).
   */
  private void dropSlotsOf(String gone) {
    vertx.executeBlocking(() -> slots.executeOnEntries(LimitProcessors.Slots.drop(gone)))
        .onSuccess(dropped -> {
          long sum = dropped.values().stream().mapToLong(Long::longValue).sum();
          if (sum > 0) {
            LOG.info("limits: member {} left; {} slot(s) it held were given back", gone, sum);
          }
        })
        .onFailure(err -> LOG.warn("limits: could not give back the slots of member {} that left: {}", gone, err.getMessage()));
  }

  @Override
  public Future<Grant> take(String key, long amount, long limit, long windowMs) {
    long now = System.currentTimeMillis();
    return on(windows.submitToKey(key, new LimitProcessors.Take(amount, limit, windowMs, now)))
        .map(r -> new Grant(r[0], r[1], r[2]));
  }

  @Override
  public Future<Boolean> acquire(String key, long limit) {
    return on(slots.submitToKey(key, LimitProcessors.Slots.acquire(limit, holder))).map(got -> got == 1L);
  }

  @Override
  public Future<Void> release(String key) {
    return on(slots.submitToKey(key, LimitProcessors.Slots.release(holder))).mapEmpty();
  }

  @Override
  public Future<Void> release(String key, String acquiredBy) {
    return on(slots.submitToKey(key, LimitProcessors.Slots.release(acquiredBy == null ? holder : acquiredBy))).mapEmpty();
  }

  @Override
  public String holder() {
    return holder;
  }

  @Override
  public Future<Boolean> adopt(String key, String acquiredBy) {
    return on(slots.submitToKey(key, LimitProcessors.Slots.adopt(acquiredBy, holder))).map(moved -> moved == 1L);
  }

  @Override
  public Future<Long> held(String key) {
    return on(slots.getAsync(key)).map(LimitProcessors::total);
  }

  @Override
  public boolean failsClosed(Throwable err) {
    return err == NO_QUORUM;
  }

  private static boolean noQuorum(Throwable err) {
    for (Throwable cause = err; cause != null; cause = cause.getCause()) {
      if (cause instanceof SplitBrainProtectionException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Future<Void> close() {
    try {
      hazelcast.getCluster().removeMembershipListener(membership);
    } catch (RuntimeException notRunning) {
      // the member is already shut down
    }
    return Future.succeededFuture();
  }

  /** Completes on the caller's context, not on a Hazelcast thread. */
  private <T> Future<T> on(java.util.concurrent.CompletionStage<T> stage) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    stage.whenComplete((value, err) -> context.runOnContext(v -> {
      if (err != null) {
        promise.fail(noQuorum(err) ? NO_QUORUM : err);
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }
}
