package dev.streamhub.limits.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.TestHubs;
import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Hub#stop} closes the node's Redis limiter: the node's lease leaves
 * {@code streamhub:limit:{slots}:nodes} at once, so a slot it still held stops counting without
 * waiting {@code limits_slot_ttl_ms}, and its renewal timer is stopped (the lease never comes back,
 * also while a second hub started on the same Vert.x runs).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisHubStopTest {

  private static final long TTL_MS = 3000;

  private RedisServer redis;
  private Vertx vertx;
  private Redis client;

  @BeforeEach
  void start() {
    redis = RedisServer.startNew(false);
    vertx = Vertx.vertx();
    client = Redis.createClient(vertx, redis.url());
  }

  @AfterEach
  void stop() {
    try {
      await(client.close().otherwiseEmpty());
      await(vertx.close());
    } finally {
      redis.close();
    }
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  private Future<Hub> startHub() {
    return TestHubs.start(vertx, new JsonObject()
        .put("redis_url", redis.url())
        .put("redis_timeout_ms", 1000)
        .put("limits_store", "redis")
        .put("limits_slot_ttl_ms", TTL_MS)
        .put("limits_concurrent_streams", 2));
  }

  private Future<Boolean> hasLease(String holder) {
    return client.send(Request.cmd(Command.HEXISTS).arg(RedisLimiter.LEASES).arg(holder)).map(Response::toBoolean);
  }

  @Test
  void aStoppedHubGivesItsSlotsBackAtOnceAndLeavesNoRenewalBehind() {
    String key = "streams|sub:" + UUID.randomUUID();
    Hub first = await(startHub());
    Limiter limiter = NodeLimits.of(vertx).limiter();
    String holder = limiter.holder();
    assertTrue(await(limiter.acquire(key, 2)), "a slot held by the node, never released");
    assertTrue(await(hasLease(holder)));
    RedisLimiter observer = new RedisLimiter(vertx, redis.url(), 1000, 60_000);
    try {
      assertEquals(1L, await(observer.held(key)));
      await(first.stop());
      assertEquals(false, await(hasLease(holder)), "the stopped node's lease is gone");
      assertEquals(0L, await(observer.held(key)), "its slot stopped counting at once, not a lease later");

      Hub second = await(startHub());
      assertNotEquals(holder, NodeLimits.of(vertx).limiter().holder(), "the second start has a limiter of its own");
      // more than two renewal periods (TTL / 3) of the first limiter: its timer is stopped, its lease stays gone
      await(TestHubs.consistently(vertx, TTL_MS / 6, 6, () -> hasLease(holder).map(has -> {
        assertEquals(false, has, "the first limiter renews no more");
        return has;
      })));
      await(second.stop());
      assertEquals(1L, await(client.send(Request.cmd(Command.HLEN).arg(RedisLimiter.LEASES)).map(Response::toLong)),
          "only the observer's lease is left");
    } finally {
      await(observer.close());
    }
  }
}
