package dev.streamhub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Limiter} store guarantees. Subclasses only build limiters: {@link #newLimiters}
 * yields two limiters over one shared store, as two nodes of a cluster see it (one store alone: the
 * same limiter twice).
 */
public abstract class LimiterContract {

  /** Two limiters sharing one store (two nodes), fresh for the test. */
  protected abstract Future<List<Limiter>> newLimiters(Vertx vertx);

  private static String key() {
    return "k-" + UUID.randomUUID();
  }

  /**
   * Completes once at least 5 s are left in the current fixed window of {@code windowMs} (windows
   * are aligned to the epoch on every limiter), so a test's takes never straddle two windows, which
   * would rightly admit the budget twice (seen on CI: 100 of a budget of 50 at a minute's turn).
   */
  private static Future<Void> roomInWindow(Vertx vertx, long windowMs) {
    long left = windowMs - System.currentTimeMillis() % windowMs;
    if (left >= 5_000) {
      return Future.succeededFuture();
    }
    Promise<Void> next = Promise.promise();
    vertx.setTimer(left + 20, id -> next.complete());
    return next.future();
  }

  @Test
  void grantsUpToTheLimitThenNothing(Vertx vertx, VertxTestContext ctx) {
    String key = key();
    roomInWindow(vertx, 60_000).compose(room -> newLimiters(vertx))
        .compose(l -> l.get(0).take(key, 3, 5, 60_000)
            .compose(first -> {
              ctx.verify(() -> {
                assertEquals(3, first.granted());
                assertEquals(3, first.used());
                assertTrue(first.retryAfterMs() > 0 && first.retryAfterMs() <= 60_000, "retry after " + first.retryAfterMs());
              });
              return l.get(0).take(key, 4, 5, 60_000);
            })
            .compose(partial -> {
              ctx.verify(() -> {
                assertEquals(2, partial.granted(), "only what is left is granted");
                assertEquals(5, partial.used());
                assertFalse(partial.all(4));
              });
              return l.get(1).take(key, 1, 5, 60_000);
            }))
        .onComplete(ctx.succeeding(none -> ctx.verify(() -> {
          assertEquals(0, none.granted());
          assertEquals(5, none.used(), "a refused take counts nothing");
          ctx.completeNow();
        })));
  }

  @Test
  void concurrentTakesOnTwoNodesAdmitTheBudgetOnce(Vertx vertx, VertxTestContext ctx) {
    String key = key();
    roomInWindow(vertx, 60_000).compose(room -> newLimiters(vertx)).compose(l -> {
      List<Future<Limiter.Grant>> takes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        takes.add(l.get(i % 2).take(key, 1, 50, 60_000));
      }
      return Future.all(takes).map(all -> {
        long granted = 0;
        for (Future<Limiter.Grant> take : takes) {
          granted += take.result().granted();
        }
        return granted;
      });
    }).onComplete(ctx.succeeding(granted -> ctx.verify(() -> {
      assertEquals(50, granted, "200 takes of 1 against a budget of 50, from two nodes");
      ctx.completeNow();
    })));
  }

  @Test
  void aNewWindowStartsFromZero(Vertx vertx, VertxTestContext ctx) {
    String key = key();
    newLimiters(vertx).compose(l -> l.get(0).take(key, 2, 2, 300)
        .compose(full -> TestHubs.eventually(vertx, 50, 40, () -> l.get(1).take(key, 1, 2, 300).map(next -> next.granted() == 1))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void slotsAreHeldUpToTheLimitAndGivenBack(Vertx vertx, VertxTestContext ctx) {
    String key = key();
    newLimiters(vertx).compose(l -> l.get(0).acquire(key, 2)
        .compose(a -> l.get(1).acquire(key, 2))
        .compose(b -> l.get(0).acquire(key, 2))
        .compose(third -> {
          ctx.verify(() -> assertFalse(third, "a third slot of 2"));
          return l.get(1).held(key);
        })
        .compose(held -> {
          ctx.verify(() -> assertEquals(2, held));
          return l.get(1).release(key);
        })
        .compose(released -> l.get(0).acquire(key, 2))
        .compose(again -> {
          ctx.verify(() -> assertTrue(again, "a slot given back is free again"));
          return l.get(0).release(key).compose(x -> l.get(0).release(key)).compose(x -> l.get(0).release(key));
        })
        .compose(extra -> l.get(1).held(key)))
        .onComplete(ctx.succeeding(held -> ctx.verify(() -> {
          assertEquals(0, held, "releasing more than was held never goes below zero");
          ctx.completeNow();
        })));
  }

  @Test
  void concurrentAcquiresOnTwoNodesHoldTheLimitOnce(Vertx vertx, VertxTestContext ctx) {
    String key = key();
    newLimiters(vertx).compose(l -> {
      List<Future<Boolean>> acquires = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        acquires.add(l.get(i % 2).acquire(key, 10));
      }
      return Future.all(acquires).map(all -> acquires.stream().filter(Future::result).count());
    }).onComplete(ctx.succeeding(held -> ctx.verify(() -> {
      assertEquals(10, held);
      ctx.completeNow();
    })));
  }
}
