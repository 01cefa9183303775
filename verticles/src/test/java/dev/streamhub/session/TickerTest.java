package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one timer per event loop behind SSE heartbeats and WebSocket pings: each member ticks one
 * interval after it joined and every interval after that, at its own phase, until it leaves.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TickerTest {

  private static final long INTERVAL_MS = 100;
  /** Timers fire late under load (a shared CI machine), never early but for the millisecond clock's rounding. */
  private static final long LATE_MS = 60;
  private static final long ROUNDING_MS = 1;

  private Vertx vertx;
  private Context context;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  @Test
  void aMemberTicksOneIntervalAfterJoiningThenEveryInterval() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    Recorder member = new Recorder(3);
    long joined = onContext(() -> {
      long now = nowMs();
      ticker.join(member);
      return now;
    });

    List<Long> ticks = await(member.done);
    for (int i = 0; i < ticks.size(); i++) {
      long expected = joined + (i + 1) * INTERVAL_MS;
      long at = ticks.get(i);
      assertTrue(at >= expected - ROUNDING_MS && at <= expected + LATE_MS, "tick " + i + " at +" + (at - joined) + " ms, expected +" + (expected - joined));
    }
  }

  @Test
  void membersKeepTheirOwnPhase() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    Recorder early = new Recorder(2);
    Recorder late = new Recorder(2);
    long[] joined = new long[2];
    onContext(() -> {
      joined[0] = nowMs();
      ticker.join(early);
      vertx.setTimer(INTERVAL_MS / 2, t -> {
        joined[1] = nowMs();
        ticker.join(late);
      });
      return null;
    });

    List<Long> earlyTicks = await(early.done);
    List<Long> lateTicks = await(late.done);
    for (int i = 0; i < 2; i++) {
      assertTrue(earlyTicks.get(i) >= joined[0] + (i + 1) * INTERVAL_MS - ROUNDING_MS, "early tick " + i);
      assertTrue(lateTicks.get(i) >= joined[1] + (i + 1) * INTERVAL_MS - ROUNDING_MS, "late tick " + i);
      assertTrue(lateTicks.get(i) <= joined[1] + (i + 1) * INTERVAL_MS + LATE_MS, "late tick " + i + " not held back");
    }
  }

  @Test
  void aMemberThatLeftNoLongerTicksAndIsNotHeld() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    Recorder leaving = new Recorder(1);
    Recorder staying = new Recorder(3);
    leaving.onTick = () -> ticker.leave(leaving);
    onContext(() -> {
      ticker.join(leaving);
      ticker.join(staying);
      return null;
    });

    await(staying.done);
    assertEquals(1, leaving.ticks.size(), "ticks after leaving: " + leaving.ticks);
    assertEquals(1, (int) onContext(ticker::size));
    onContext(() -> {
      ticker.leave(staying);
      ticker.leave(staying);
      return null;
    });
    assertEquals(0, (int) onContext(ticker::size));
  }

  @Test
  void manyMembersJoiningAndLeavingStayInDueOrder() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    List<Recorder> members = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      members.add(new Recorder(2));
    }
    onContext(() -> {
      for (int i = 0; i < members.size(); i++) {
        Recorder member = members.get(i);
        vertx.setTimer(1 + i * 3L, t -> ticker.join(member));
      }
      vertx.setTimer(INTERVAL_MS, t -> {
        for (int i = 1; i < members.size(); i += 2) {
          ticker.leave(members.get(i));
        }
      });
      return null;
    });

    for (int i = 0; i < members.size(); i += 2) {
      List<Long> ticks = await(members.get(i).done);
      assertTrue(ticks.get(1) - ticks.get(0) >= INTERVAL_MS - LATE_MS, "member " + i + " ticks " + ticks);
    }
  }

  @Test
  void refusesAThreadOtherThanItsEventLoop() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    onContext(() -> {
      ticker.join(new Recorder(1));
      return null;
    });
    assertThrows(IllegalStateException.class, () -> ticker.join(new Recorder(1)));
  }

  private static final class Recorder extends Ticker.Member {
    final List<Long> ticks = new ArrayList<>();
    final Promise<List<Long>> done = Promise.promise();
    final int wanted;
    Runnable onTick = () -> {};

    Recorder(int wanted) {
      this.wanted = wanted;
    }

    @Override
    protected void tick() {
      ticks.add(nowMs());
      onTick.run();
      if (ticks.size() == wanted) {
        done.complete(new ArrayList<>(ticks));
      }
    }
  }

  private <T> T onContext(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.join();
  }

  private static <T> T await(Promise<T> promise) {
    return promise.future().await();
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
