package dev.streamhub.limits.memory;

import dev.streamhub.limits.Limiter;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-node {@link Limiter}: counters in this JVM, atomic per key through
 * {@link ConcurrentHashMap#compute}. Shared by every event loop of the node. Windows that ended are
 * dropped on the next take of their key, and by a sweep every 1024 takes.
 */
public final class MemoryLimiter implements Limiter {

  private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> slots = new ConcurrentHashMap<>();
  private final AtomicLong takes = new AtomicLong();

  @Override
  public Future<Grant> take(String key, long amount, long limit, long windowMs) {
    long now = System.currentTimeMillis();
    long start = Limiter.windowStart(now, windowMs);
    long[] result = new long[2];
    windows.compute(key, (k, window) -> {
      long used = window == null || window[0] != start ? 0 : window[1];
      long granted = Math.max(0, Math.min(amount, limit - used));
      result[0] = granted;
      result[1] = used + granted;
      return new long[] {start, used + granted, start + windowMs};
    });
    if ((takes.incrementAndGet() & 1023) == 0) {
      windows.values().removeIf(window -> window[2] <= now);
    }
    return Future.succeededFuture(new Grant(result[0], result[1], start + windowMs - now));
  }

  @Override
  public Future<Boolean> acquire(String key, long limit) {
    boolean[] got = new boolean[1];
    slots.compute(key, (k, held) -> {
      long h = held == null ? 0 : held;
      got[0] = h < limit;
      return got[0] ? h + 1 : (h == 0 ? null : h);
    });
    return Future.succeededFuture(got[0]);
  }

  @Override
  public Future<Void> release(String key) {
    slots.computeIfPresent(key, (k, held) -> held <= 1 ? null : held - 1);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> held(String key) {
    return Future.succeededFuture(slots.getOrDefault(key, 0L));
  }

  @Override
  public Future<Void> close() {
    windows.clear();
    slots.clear();
    return Future.succeededFuture();
  }
}
