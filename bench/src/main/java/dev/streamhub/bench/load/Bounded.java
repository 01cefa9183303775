package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.IntFunction;

/**
 * Runs tasks {@code 0..count-1} with at most {@code limit} in flight, on the calling event loop.
 * A failed task counts as finished; tasks record their own failures.
 */
public final class Bounded {

  private final int count;
  private final int limit;
  private final IntFunction<Future<?>> task;
  private final Promise<Void> all = Promise.promise();
  private int started;
  private int finished;

  private Bounded(int count, int limit, IntFunction<Future<?>> task) {
    this.count = count;
    this.limit = Math.max(1, limit);
    this.task = task;
  }

  public static Future<Void> run(int count, int limit, IntFunction<Future<?>> task) {
    Bounded bounded = new Bounded(count, limit, task);
    if (count == 0) {
      return Future.succeededFuture();
    }
    while (bounded.started < Math.min(count, bounded.limit)) {
      bounded.startNext();
    }
    return bounded.all.future();
  }

  private void startNext() {
    int i = started++;
    Future<?> f;
    try {
      f = task.apply(i);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      finished++;
      if (started < count) {
        startNext();
      } else if (finished == count) {
        all.tryComplete();
      }
    });
  }
}
