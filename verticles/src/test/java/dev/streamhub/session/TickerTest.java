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
  /**
   * Timers fire late under load (a shared CI machine) by any amount, never early but for the
   * millisecond clock's rounding. So "not held back" is not a wall-clock bound: a probe timer armed
   * on the same event loop when a member joins or ticks, due {@code PROBE_SLACK_MS} after its next
   * tick, must not fire before that tick (the event loop runs due timers in deadline order, so a
   * loaded machine delays both alike; a ticker that skipped a tick or postponed it by half an interval
   * or more lets the probe win).
   */
  private static final long ROUNDING_MS = 1;
  private static final long PROBE_SLACK_MS = INTERVAL_MS / 2;

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
    onContext(() -> member.joinTo(ticker));

    await(member.done);
    member.assertOnTime("member");
  }

  @Test
  void membersKeepTheirOwnPhase() {
    Ticker ticker = onContext(() -> new Ticker(vertx, INTERVAL_MS));
    Recorder early = new Recorder(2);
    Recorder late = new Recorder(2);
    onContext(() -> {
      early.joinTo(ticker);
      vertx.setTimer(INTERVAL_MS / 2, t -> late.joinTo(ticker));
      return null;
    });

    await(early.done);
    await(late.done);
    early.assertOnTime("early");
    late.assertOnTime("late");
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
        vertx.setTimer(1 + i * 3L, t -> member.joinTo(ticker));
      }
      vertx.setTimer(INTERVAL_MS, t -> {
        for (int i = 1; i < members.size(); i += 2) {
          ticker.leave(members.get(i));
        }
      });
      return null;
    });

    for (int i = 0; i < members.size(); i += 2) {
      await(members.get(i).done);
      members.get(i).assertOnTime("member " + i);
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

  /**
   * Records its ticks; from {@link #joinTo} on, arms a probe timer due {@code PROBE_SLACK_MS} after
   * each next tick is due and notes a probe that fires first ("held back").
   */
  private final class Recorder extends Ticker.Member {
    final List<Long> ticks = new ArrayList<>();
    final List<String> heldBack = new ArrayList<>();
    final Promise<List<Long>> done = Promise.promise();
    final int wanted;
    long joinedAt;
    Runnable onTick = () -> {};

    Recorder(int wanted) {
      this.wanted = wanted;
    }

    /** Joins {@code ticker} (on its event loop) and arms the first probe. */
    Void joinTo(Ticker ticker) {
      joinedAt = nowMs();
      ticker.join(this);
      probe(0);
      return null;
    }

    private void probe(int tickIndex) {
      vertx.setTimer(INTERVAL_MS + PROBE_SLACK_MS, t -> {
        if (ticks.size() <= tickIndex && ticks.size() < wanted) {
          heldBack.add("tick " + tickIndex + " not there " + (INTERVAL_MS + PROBE_SLACK_MS) + " ms after joining or the previous tick");
        }
      });
    }

    @Override
    protected void tick() {
      ticks.add(nowMs());
      onTick.run();
      if (ticks.size() < wanted) {
        probe(ticks.size());
      }
      if (ticks.size() == wanted) {
        done.complete(new ArrayList<>(ticks));
      }
    }

    /** Never early (tick i at least (i+1) intervals after joining), never held back behind its probe. */
    void assertOnTime(String who) {
      for (int i = 0; i < ticks.size(); i++) {
        long expected = joinedAt + (i + 1) * INTERVAL_MS;
        assertTrue(ticks.get(i) >= expected - ROUNDING_MS, who + " tick " + i + " early: at +" + (ticks.get(i) - joinedAt) + " ms");
      }
      assertEquals(List.of(), onContext(() -> List.copyOf(heldBack)), who + " held back; ticks at " + ticks + ", joined " + joinedAt);
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
