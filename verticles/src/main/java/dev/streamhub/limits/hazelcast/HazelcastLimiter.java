package dev.streamhub.limits.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.streamhub.limits.Limiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The cluster-wide {@link Limiter}: counters in two Hazelcast maps ({@code streamhub.limits.windows},
 * {@code streamhub.limits.slots}), each change an entry processor run by the member that owns the
 * key, one at a time per partition, so two nodes can never both take the last unit of a budget.
 * Calls use the async API ({@code submitToKey}) and complete on the caller's Vert.x context. The
 * window clock is the caller's ({@code now} travels with the processor so that the backup replays it).
 * A window entry lives twice its window (Hazelcast TTL), then disappears.
 */
public final class HazelcastLimiter implements Limiter {

  public static final String WINDOWS = "streamhub.limits.windows";
  public static final String SLOTS = "streamhub.limits.slots";

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
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Completes on the caller's context, not on a Hazelcast thread. */
  private <T> Future<T> on(java.util.concurrent.CompletionStage<T> stage) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    stage.whenComplete((value, err) -> context.runOnContext(v -> {
      if (err != null) {
        promise.fail(err);
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }
}
