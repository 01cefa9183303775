package dev.streamhub.limits.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.NodeProcess;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis limiter frees a dead node's slots: two hub nodes on one real redis-server
 * ({@code limits_store} redis, {@code limits_slot_ttl_ms} {@value #TTL_MS}), one in its own JVM,
 * the other in this one. The JVM node holds two of the client's three connection slots
 * ({@code limits_connections_per_ip}) and one of its two concurrent-stream slots
 * ({@code limits_concurrent_streams}); the survivor holds the rest and refuses more. The JVM node
 * is killed with SIGKILL (no release, no goodbye): its slots still count until its lease (read from
 * {@code streamhub:limit:{slots}:nodes}, Redis clock) ends, at most {@value #TTL_MS} ms after it
 * died, and no longer after; then the survivor admits exactly the freed slots again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisSlotsIT {

  private static final long TTL_MS = 3000;
  /** The most {@code limits_slot_ttl_ms} {@value #TTL_MS} allows: a third of it. */
  private static final long REDIS_TIMEOUT_MS = 1000;
  /** How late after its lease a dead node's slots may come back on a loaded machine (polling, scheduling). */
  private static final long SLACK_MS = 5000;
  private static final long WAIT_S = 60;
  private static final String CONNECTIONS = "conn|ip:127.0.0.1";
  private static final String STREAMS = "streams|ip:127.0.0.1";

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    vertx.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void theSlotsOfANodeKilledWithSigkillAreFreedWhenItsLeaseEnds() throws Exception {
    RedisServer redis = RedisServer.startNew(false);
    closing.add(redis);
    Map<String, String> env = Map.of(
        "STREAMHUB_STORE", redis.url(),
        "STREAMHUB_LIMITS_CONNECTIONS_PER_IP", "3",
        "STREAMHUB_LIMITS_CONCURRENT_STREAMS", "2",
        "STREAMHUB_LIMITS_SLOT_TTL_MS", Long.toString(TTL_MS),
        "STREAMHUB_REDIS_TIMEOUT_MS", Long.toString(REDIS_TIMEOUT_MS),
        "STREAMHUB_DEMO_TTFT_MS", "0",
        "STREAMHUB_DEMO_TOKENS_PER_SECOND", "5",
        "STREAMHUB_DEMO_ANSWER_TOKENS", "2000",
        "STREAMHUB_SSE_HEARTBEAT_MS", "500");
    NodeProcess dying = NodeProcess.start("redis-slots-dying", "streamhub-redis-slots-" + UUID.randomUUID(), "all", env);
    closing.add(dying);
    Hub survivor = TestHubs.start(vertx, new JsonObject()
        .put("log_store", "redis")
        .put("redis_url", redis.url())
        .put("limits_connections_per_ip", 3)
        .put("limits_concurrent_streams", 2)
        .put("limits_slot_ttl_ms", TTL_MS)
        .put("redis_timeout_ms", REDIS_TIMEOUT_MS)
        .put("demo_tokens_per_second", 5)
        .put("demo_answer_tokens", 2000)
        .put("sse_heartbeat_ms", 500)).await(WAIT_S, TimeUnit.SECONDS);
    closing.add(() -> survivor.stop().await(WAIT_S, TimeUnit.SECONDS));
    HubClient onDying = new HubClient(vertx, dying.port());
    HubClient onSurvivor = new HubClient(vertx, survivor.port());
    RedisLimiter observer = new RedisLimiter(vertx, redis.url(), 2000, TTL_MS);
    closing.add(() -> observer.close().await(WAIT_S, TimeUnit.SECONDS));
    TestHubs.eventually(vertx, 200, 300, () -> onDying.get("/health/ready").map(r -> r.statusCode() == 200).otherwise(false))
        .await(WAIT_S * 2, TimeUnit.SECONDS);

    // the JVM node: one generation and two reading connections; the survivor: one of each
    String onDyingStream = onDying.createStream(TestHubs.chat("a long answer on the node that dies", 3L)).await(WAIT_S, TimeUnit.SECONDS);
    List<HubClient.LiveSse> readers = new ArrayList<>();
    readers.add(open(onDying, onDyingStream));
    readers.add(open(onDying, onDyingStream));
    String onSurvivorStream = onSurvivor.createStream(TestHubs.chat("a long answer on the survivor", 4L)).await(WAIT_S, TimeUnit.SECONDS);
    readers.add(open(onSurvivor, onSurvivorStream));
    assertEquals(3L, observer.held(CONNECTIONS).await(WAIT_S, TimeUnit.SECONDS));
    assertEquals(2L, observer.held(STREAMS).await(WAIT_S, TimeUnit.SECONDS));
    expectRefused(onSurvivor.get("/v1/streams/" + onSurvivorStream + "/events").await(WAIT_S, TimeUnit.SECONDS));
    expectRefused(onSurvivor.postJson("/v1/streams", TestHubs.chat("a third generation", 5L)).await(WAIT_S, TimeUnit.SECONDS));

    // the dead node is the lease holder that is neither the survivor nor the observer
    Redis admin = Redis.createClient(vertx, redis.url());
    closing.add(() -> admin.close());
    List<String> holders = admin.send(Request.cmd(Command.HKEYS).arg(RedisLimiter.LEASES)).await(WAIT_S, TimeUnit.SECONDS)
        .stream().map(Response::toString).filter(h -> !h.equals(observer.holder()) && !h.equals(NodeLimits.of(vertx).limiter().holder()))
        .toList();
    assertEquals(1, holders.size(), "the JVM node's lease: " + holders);
    long killed = System.nanoTime();
    dying.kill();
    long leaseEnd = Long.parseLong(admin.send(Request.cmd(Command.HGET).arg(RedisLimiter.LEASES).arg(holders.get(0)))
        .await(WAIT_S, TimeUnit.SECONDS).toString());

    // until its lease ends (Redis clock) the dead node's slots count; once it ended they do not: each
    // poll reads Redis TIME before and after the count, so the check holds however slow the machine is
    List<Long> seen = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    TestHubs.eventually(vertx, 50, (int) ((TTL_MS + SLACK_MS) / 50), () -> redisNow(admin).compose(before -> observer.held(CONNECTIONS)
        .compose(held -> redisNow(admin).map(after -> {
          seen.add(held);
          if (after < leaseEnd && held != 3L) {
            wrong.add(held + " counted " + (leaseEnd - after) + " ms before the dead node's lease ends: its slots must still count (3)");
          }
          if (before >= leaseEnd && held != 1L) {
            wrong.add(held + " counted " + (before - leaseEnd) + " ms after the dead node's lease ended: its slots must no longer count (1)");
          }
          return held == 1L;
        })))).await(WAIT_S, TimeUnit.SECONDS);
    long freedMs = elapsedMs(killed);
    assertEquals(List.of(), wrong, "counts against the dead node's lease");
    assertEquals(1L, observer.held(STREAMS).await(WAIT_S, TimeUnit.SECONDS), "its stream slot is freed with its lease too");
    assertTrue(freedMs <= TTL_MS + SLACK_MS, "freed " + freedMs + " ms after the kill; bound: the lease " + TTL_MS + " ms plus "
        + SLACK_MS + " ms (counts seen: " + seen + ")");

    // the survivor admits exactly the freed slots: two connections and one generation, then refuses again
    readers.add(open(onSurvivor, onSurvivorStream));
    readers.add(open(onSurvivor, onSurvivorStream));
    expectRefused(onSurvivor.get("/v1/streams/" + onSurvivorStream + "/events").await(WAIT_S, TimeUnit.SECONDS));
    HttpResponse<Buffer> second = onSurvivor.postJson("/v1/streams", TestHubs.chat("a second generation", 6L)).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(201, second.statusCode(), second.bodyAsString());
    expectRefused(onSurvivor.postJson("/v1/streams", TestHubs.chat("a third generation", 7L)).await(WAIT_S, TimeUnit.SECONDS));
    assertEquals(3L, observer.held(CONNECTIONS).await(WAIT_S, TimeUnit.SECONDS));
    assertEquals(2L, observer.held(STREAMS).await(WAIT_S, TimeUnit.SECONDS));
    for (HubClient.LiveSse reader : readers) {
      reader.disconnect().otherwiseEmpty().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  private static HubClient.LiveSse open(HubClient client, String stream) throws Exception {
    HubClient.LiveSse sse = client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap())
        .await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(200, sse.status(), "a reading connection within the limit");
    sse.until(frames -> !frames.isEmpty()).await(WAIT_S, TimeUnit.SECONDS);
    return sse;
  }

  private static void expectRefused(HttpResponse<Buffer> response) {
    assertEquals(429, response.statusCode(), response.bodyAsString());
    assertEquals("rate_limited", response.bodyAsJsonObject().getJsonObject("error").getString("code"), response.bodyAsString());
  }

  /** The Redis server's clock, epoch ms (the clock leases are kept in). */
  private static Future<Long> redisNow(Redis admin) {
    return admin.send(Request.cmd(Command.TIME)).map(t -> t.get(0).toLong() * 1000 + t.get(1).toLong() / 1000);
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
