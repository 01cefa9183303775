package dev.streamhub.limits.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import dev.streamhub.limits.Limiter;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The cluster-wide {@link Limiter}: counters in two Hazelcast maps ({@code streamhub.limits.windows},
 * {@code streamhub.limits.slots}), each change an entry processor run by the member that owns the
 * key, one at a time per partition, so two nodes can never both take the last unit of a budget.
 * Calls use the async API ({@code submitToKey}) and complete on the caller's Vert.x context. The
 * window clock is the caller's ({@code now} travels with the processor so that the backup replays it).
 * A window entry lives twice its window (Hazelcast TTL), then disappears.
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

  /** What every call fails with on the minority side of a partition (the maps' split-brain protection refused it). */
  static final HubException NO_QUORUM = new HubException(ErrorCode.STORE_UNAVAILABLE,
      "this node is on the minority side of a network partition (fewer data members than cluster_quorum): "
          + "limits cannot be counted here; retry through another node");

  private final Vertx vertx;
  private final IMap<String, long[]> windows;
  private final IMap<String, Long> slots;

  public HazelcastLimiter(Vertx vertx, HazelcastInstance hazelcast) {
    this(vertx, hazelcast, "");
  }

  /** With map names suffixed by {@code suffix} (tests: a fresh pair per limiter). */
  public HazelcastLimiter(Vertx vertx, HazelcastInstance hazelcast, String suffix) {
    this.vertx = vertx;
    this.windows = hazelcast.getMap(WINDOWS + suffix);
    this.slots = hazelcast.getMap(SLOTS + suffix);
  }

  @Override
  public Future<Grant> take(String key, long amount, long limit, long windowMs) {
    long now = System.currentTimeMillis();
    return on(windows.submitToKey(key, new LimitProcessors.Take(amount, limit, windowMs, now)))
        .map(r -> new Grant(r[0], r[1], r[2]));
  }

  @Override
  public Future<Boolean> acquire(String key, long limit) {
    return on(slots.submitToKey(key, new LimitProcessors.Acquire(limit)));
  }

  @Override
  public Future<Void> release(String key) {
    return on(slots.submitToKey(key, new LimitProcessors.Release())).mapEmpty();
  }

  @Override
  public Future<Long> held(String key) {
    return on(slots.getAsync(key)).map(held -> held == null ? 0L : held);
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
