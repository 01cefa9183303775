package dev.streamhub.limits.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.streamhub.TestHubs;
import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.LimiterContract;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis limiter against the {@link LimiterContract} on a redis-server of its own: its "two
 * nodes" are two limiters with clients of their own on the same Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisLimiterTest extends LimiterContract {

  /** A lease of 3 s (renewed every second) with calls bounded at a third of it, as the config requires. */
  private static final long TTL_MS = 3000;
  private static final long TIMEOUT_MS = 1000;
  /** How late after its lease a dead node's slots may come back on a loaded machine (polling, scheduling). */
  private static final long SLACK_MS = 5000;

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.startNew(false);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected Future<List<Limiter>> newLimiters(Vertx vertx) {
    return Future.succeededFuture(List.of(new RedisLimiter(vertx, redis.url(), 2000), new RedisLimiter(vertx, redis.url(), 2000)));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(20, TimeUnit.SECONDS).await();
  }

  /**
   * A node that vanishes (its Vert.x gone: no renewal, no release, no leave) keeps its slots until
   * its lease ends, {@code ttl} after its last renewal, then they stop counting; a live node's
   * slots stay across many TTLs.
   */
  @Test
  void theSlotsOfANodeThatStoppedRenewingComeBackWhenItsLeaseEnds() {
    long ttl = TTL_MS;
    String key = "streams|sub:" + UUID.randomUUID();
    Vertx dyingNode = Vertx.vertx();
    Vertx liveNode = Vertx.vertx();
    try {
      RedisLimiter dying = new RedisLimiter(dyingNode, redis.url(), TIMEOUT_MS, ttl);
      RedisLimiter live = new RedisLimiter(liveNode, redis.url(), TIMEOUT_MS, ttl);
      assertTrue(await(dying.acquire(key, 3)));
      assertTrue(await(dying.acquire(key, 3)));
      assertTrue(await(live.acquire(key, 3)));
      assertFalse(await(live.acquire(key, 3)), "3 of 3 held");
      // two and a half TTLs of renewals: nothing lapses while both live
      await(TestHubs.consistently(liveNode, ttl / 2, 6, () -> live.held(key).map(held -> {
        assertEquals(3L, held, "slots of live nodes stay");
        return held;
      })));

      dyingNode.close().timeout(20, TimeUnit.SECONDS).await(); // a crash: its renewals stop, nothing is released
      long died = System.nanoTime();
      await(TestHubs.eventually(liveNode, 50, (int) ((ttl + SLACK_MS) / 50), () -> live.held(key).map(held -> held == 1L)));
      long freedMs = (System.nanoTime() - died) / 1_000_000;
      assertTrue(freedMs <= ttl + SLACK_MS, "freed " + freedMs + " ms after the node died, lease " + ttl + " ms");
      assertTrue(await(live.acquire(key, 3)));
      assertTrue(await(live.acquire(key, 3)));
      assertFalse(await(live.acquire(key, 3)), "the dead node's two slots came back, no more");
      assertEquals(3L, await(live.held(key)));
    } finally {
      liveNode.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /** A slot a worker's node took over from the edge's stays while the worker lives, though the edge died. */
  @Test
  void aSlotTakenOverLivesWithTheNodeThatTookItOver() {
    long ttl = TTL_MS;
    String key = "streams|sub:" + UUID.randomUUID();
    Vertx edgeNode = Vertx.vertx();
    Vertx workerNode = Vertx.vertx();
    try {
      RedisLimiter edge = new RedisLimiter(edgeNode, redis.url(), TIMEOUT_MS, ttl);
      RedisLimiter worker = new RedisLimiter(workerNode, redis.url(), TIMEOUT_MS, ttl);
      assertTrue(await(edge.acquire(key, 1)));
      assertTrue(await(worker.adopt(key, edge.holder())), "the slot moved to the worker");
      edgeNode.close().timeout(20, TimeUnit.SECONDS).await();
      await(TestHubs.consistently(workerNode, ttl / 2, 6, () -> worker.held(key).map(held -> {
        assertEquals(1L, held, "the generation still runs on the worker: its slot stays");
        return held;
      })));
      assertFalse(await(worker.acquire(key, 1)));
      await(worker.release(key));
      assertEquals(0L, await(worker.held(key)));
      assertTrue(await(worker.acquire(key, 1)));
    } finally {
      workerNode.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /** A node that stops (close) gives its slots back at once, not a TTL later. */
  @Test
  void aNodeThatClosesGivesItsSlotsBackAtOnce() {
    String key = "conn|ip:" + UUID.randomUUID();
    Vertx node = Vertx.vertx();
    try {
      RedisLimiter leaving = new RedisLimiter(node, redis.url(), 2000, 60_000);
      RedisLimiter other = new RedisLimiter(node, redis.url(), 2000, 60_000);
      assertTrue(await(leaving.acquire(key, 2)));
      assertTrue(await(other.acquire(key, 2)));
      await(leaving.close());
      assertEquals(1L, await(other.held(key)));
    } finally {
      node.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /**
   * Redis stalls (CLIENT PAUSE, every command held for 1.5 s) while the limiter renews every 100 ms:
   * the renewal in flight is not joined by a queue of others; at most one more is sent after it answers.
   */
  @Test
  void aRenewalTickWhileOneIsInFlightIsSkipped() {
    Vertx node = Vertx.vertx();
    io.vertx.redis.client.Redis admin = io.vertx.redis.client.Redis.createClient(node, redis.url());
    try {
      RedisLimiter limiter = new RedisLimiter(node, redis.url(), 5000, 300);
      await(TestHubs.eventually(node, 50, 100, () -> Future.succeededFuture(limiter.renewalsSent() >= 2)));
      await(admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("PAUSE").arg(1500).arg("ALL")));
      long before = limiter.renewalsSent();
      await(TestHubs.delay(node, 1200));
      long during = limiter.renewalsSent() - before;
      assertTrue(during <= 2, during + " renewals sent in 1.2 s of a stalled Redis (ticks every 100 ms)");
    } finally {
      admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("UNPAUSE")).otherwiseEmpty()
          .timeout(20, TimeUnit.SECONDS).await();
      node.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /**
   * A node's lease ends while it lives (here: set to a past time, as a pause longer than the TTL
   * leaves it) and its next lease-extending call is an acquire, not a renewal: the acquire reports
   * the lapse (logged, counted once); the renewals after it see a live lease.
   */
  @Test
  void aLapseFoundByAnAcquireIsReported() {
    String key = "streams|sub:" + UUID.randomUUID();
    Vertx node = Vertx.vertx();
    io.vertx.redis.client.Redis admin = io.vertx.redis.client.Redis.createClient(node, redis.url());
    try {
      RedisLimiter limiter = new RedisLimiter(node, redis.url(), 1000, 60_000); // renewals every 20 s: none during the test
      await(TestHubs.eventually(node, 50, 100, () -> Future.succeededFuture(limiter.renewalsSent() >= 1)));
      assertTrue(await(limiter.acquire(key, 5)));
      assertEquals(0L, limiter.lapses(), "a live lease: no lapse");
      await(admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HSET)
          .arg(RedisLimiter.LEASES).arg(limiter.holder()).arg("1")));
      assertTrue(await(limiter.acquire(key, 5)));
      assertEquals(1L, limiter.lapses(), "the acquire found the lease ended");
      assertTrue(await(limiter.acquire(key, 5)));
      assertEquals(1L, limiter.lapses(), "renewed by the acquire: one lapse, reported once");
    } finally {
      admin.close();
      node.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /**
   * The worker did not take over the edge's slot (the adopt reports it): releasing it as the
   * edge's frees the edge's slot, not one the worker holds for another generation.
   */
  @Test
  void aReleaseFreesTheSlotOfTheHolderThatHasIt() {
    String key = "streams|sub:" + UUID.randomUUID();
    Vertx node = Vertx.vertx();
    try {
      RedisLimiter edge = new RedisLimiter(node, redis.url(), TIMEOUT_MS, TTL_MS);
      RedisLimiter worker = new RedisLimiter(node, redis.url(), TIMEOUT_MS, TTL_MS);
      assertEquals(false, await(worker.adopt(key, edge.holder())), "the edge holds no slot: nothing moved");
      assertTrue(await(edge.acquire(key, 3)));
      assertTrue(await(worker.acquire(key, 3)), "the worker's own slot, another generation");
      await(worker.release(key, edge.holder()));
      await(edge.close()); // only the worker's slots count now
      assertEquals(1L, await(worker.held(key)), "the edge's slot was given back, the worker's own stays");
      await(worker.release(key, edge.holder()));
      assertEquals(1L, await(worker.held(key)), "the edge has none left: nothing else is given back");
    } finally {
      node.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  /**
   * An acquire that times out (Redis paused past {@code redis_timeout_ms}) but that Redis runs when
   * it resumes does not leak its slot: the limiter undoes it (the slot is given back, or the acquire
   * refuses because the undo ran first).
   */
  @Test
  void anAcquireThatTimedOutLeaksNoSlot() {
    String key = "streams|sub:" + UUID.randomUUID();
    Vertx node = Vertx.vertx();
    io.vertx.redis.client.Redis admin = io.vertx.redis.client.Redis.createClient(node, redis.url());
    try {
      RedisLimiter limiter = new RedisLimiter(node, redis.url(), 500, 60_000);
      assertEquals(0L, await(limiter.held(key)));
      await(admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("PAUSE").arg(1500).arg("ALL")));
      long paused = System.nanoTime();
      Throwable err = limiter.acquire(key, 1).map(ok -> (Throwable) null).otherwise(e -> e).timeout(20, TimeUnit.SECONDS).await();
      assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, err).code());
      await(TestHubs.delay(node, Math.max(0, 2000 - (System.nanoTime() - paused) / 1_000_000))); // the pause is over: both ran
      await(TestHubs.consistently(node, 200, 5, () -> limiter.held(key).map(held -> {
        assertEquals(0L, held, "the timed-out acquire holds no slot");
        return held;
      })));
      assertTrue(await(limiter.acquire(key, 1)), "the one slot is free");
    } finally {
      admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT).arg("UNPAUSE")).otherwiseEmpty()
          .timeout(20, TimeUnit.SECONDS).await();
      node.close().timeout(20, TimeUnit.SECONDS).await();
    }
  }

  @Test
  void anUnreachableRedisFailsWithStoreUnavailableWithinTheTimeout(Vertx vertx, VertxTestContext ctx) {
    // a port nothing listens on: the redis-server of this test, stopped
    RedisServer gone = RedisServer.startNew(false);
    String url = gone.url();
    gone.close();
    Limiter limiter = new RedisLimiter(vertx, url, 500);
    long start = System.nanoTime();
    limiter.take("k", 1, 1, 60_000).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, err).code());
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(true, tookMs < 5_000, "failed after " + tookMs + " ms");
      ctx.completeNow();
    })));
  }
}
