package dev.streamhub.streamlog.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.ReadResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole hubs on the Redis store ({@code store=redis://...}), against a real redis-server: the log
 * outlives every hub node, is shared by several nodes, and survives a Redis outage with nothing
 * acknowledged lost, and a frozen Redis (SIGSTOP) makes requests fail within {@code redis_timeout_ms}
 * rather than hang. Each hub node is a {@link Vertx} of its own, closed to "stop the node".
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisHubTest {

  private static final long WAIT_S = 60;

  private final List<Vertx> nodes = new ArrayList<>();
  private final List<RedisServer> servers = new ArrayList<>();
  private final Vertx client = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(WAIT_S, TimeUnit.SECONDS);
    }
    servers.forEach(RedisServer::close);
    client.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private RedisServer redis(boolean appendOnly) {
    RedisServer server = RedisServer.startNew(appendOnly);
    servers.add(server);
    return server;
  }

  /** Starts a hub node (a Vertx of its own) on {@code redis}. */
  private Hub node(RedisServer redis, JsonObject overrides) throws Exception {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    JsonObject config = new JsonObject().put("store", redis.url()).put("redis_timeout_ms", 1000).mergeIn(overrides);
    return TestHubs.start(vertx, config).await(WAIT_S, TimeUnit.SECONDS);
  }

  private Hub node(RedisServer redis) throws Exception {
    return node(redis, new JsonObject());
  }

  private void stop(Hub hub) throws Exception {
    hub.stop().await(WAIT_S, TimeUnit.SECONDS);
    hub.vertx().close().await(WAIT_S, TimeUnit.SECONDS);
    nodes.remove(hub.vertx());
  }

  /** Every event of a finished stream over native SSE, as JSON text in order. */
  private List<String> sseEvents(Hub hub, String stream) throws Exception {
    HubClient http = new HubClient(client, hub.port());
    try {
      HubClient.SseResponseText resp = http.readSse("/v1/streams/" + stream + "/events").await(WAIT_S, TimeUnit.SECONDS);
      assertEquals(200, resp.status(), resp.body());
      return SseFrame.events(resp.frames()).stream().map(SseFrame::data).collect(Collectors.toList());
    } finally {
      http.close().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  private static List<Long> offsets(List<String> events) {
    return events.stream().map(e -> new JsonObject(e).getLong("offset")).collect(Collectors.toList());
  }

  /** A finished demo stream created on {@code hub}. */
  private String finishedStream(Hub hub, String question) throws Exception {
    HubClient http = new HubClient(client, hub.port());
    try {
      String id = http.createStream(TestHubs.chat(question, 7L)).await(WAIT_S, TimeUnit.SECONDS);
      http.awaitFinished(client, id).await(WAIT_S, TimeUnit.SECONDS);
      return id;
    } finally {
      http.close().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  private static void assertWholeStream(List<String> events) {
    assertTrue(events.size() >= 3, "a demo answer has deltas, usage and done: " + events);
    assertEquals(LongStream.range(0, events.size()).boxed().collect(Collectors.toList()), offsets(events));
    assertEquals("done", new JsonObject(events.get(events.size() - 1)).getString("type"));
  }

  @Test
  void aStreamWrittenOnOneNodeIsReadExactlyOnAnother() throws Exception {
    RedisServer redis = redis(false);
    Hub a = node(redis);
    Hub b = node(redis, new JsonObject().put("demo_enabled", false));
    String id = finishedStream(a, "shared between nodes");
    List<String> onA = sseEvents(a, id);
    assertWholeStream(onA);
    assertEquals(onA, sseEvents(b, id));
  }

  @Test
  void replaysAFinishedStreamExactlyAfterEveryNodeRestarted() throws Exception {
    RedisServer redis = redis(false);
    Hub a = node(redis);
    Hub b = node(redis);
    String id = finishedStream(a, "survive a restart");
    List<String> before = sseEvents(b, id);
    assertWholeStream(before);
    stop(a);
    stop(b);
    Hub restarted = node(redis);
    assertEquals(before, sseEvents(restarted, id));
  }

  @Test
  void aRedisOutageFailsRequestsWithStoreUnavailableThenRecoversLosingNothingAcknowledged() throws Exception {
    RedisServer redis = redis(true);
    Hub hub = node(redis, new JsonObject().put("demo_tokens_per_second", 20));
    HubClient http = new HubClient(client, hub.port());
    JsonObject longAnswer = TestHubs.chat("a long answer", 3L).put("max_tokens", 400);
    String id = http.createStream(longAnswer).await(WAIT_S, TimeUnit.SECONDS);
    HubClient.LiveSse live = http.openSse("/v1/streams/" + id + "/events", MultiMap.caseInsensitiveMultiMap())
        .await(WAIT_S, TimeUnit.SECONDS);
    live.until(frames -> SseFrame.events(frames).size() >= 5).await(WAIT_S, TimeUnit.SECONDS);

    redis.kill();

    HttpResponse<Buffer> refused = http.postJson("/v1/streams", longAnswer).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(503, refused.statusCode(), refused.bodyAsString());
    assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
    HttpResponse<Buffer> unreadable = http.get("/v1/streams/" + id + "/events?from=0").await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(503, unreadable.statusCode(), unreadable.bodyAsString());
    assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), unreadable.bodyAsJsonObject().getJsonObject("error").getString("code"));
    Throwable notReady = failureOf(hub.log().ping());
    assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, notReady).code());
    HttpResponse<Buffer> ready = http.get("/health/ready").await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertEquals("DOWN", ready.bodyAsJsonObject().getString("status"));
    assertEquals(200, http.get("/health/live").await(WAIT_S, TimeUnit.SECONDS).statusCode(), "liveness does not depend on Redis");

    redis.start();

    TestHubs.eventually(client, 100, 300, () -> http.get("/health/ready").map(r -> r.statusCode() == 200).otherwise(false))
        .await(WAIT_S, TimeUnit.SECONDS);
    assertWholeStream(sseEvents(hub, finishedStream(hub, "after the outage")));

    // every event the client received live was acknowledged by Redis first: all still there, unchanged
    List<String> received = SseFrame.events(live.frames()).stream().map(SseFrame::data).collect(Collectors.toList());
    assertTrue(received.size() >= 5);
    ReadResult stored = hub.log().read(id, 0, 10_000).await(WAIT_S, TimeUnit.SECONDS);
    List<JsonObject> storedPrefix = stored.events().subList(0, received.size()).stream().map(Event::toJson).collect(Collectors.toList());
    assertEquals(received.stream().map(JsonObject::new).collect(Collectors.toList()), storedPrefix);
    http.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void aFrozenRedisFailsRequestsWithinTheTimeoutInsteadOfHanging() throws Exception {
    RedisServer redis = redis(false);
    Hub hub = node(redis, new JsonObject().put("redis_timeout_ms", 500));
    HubClient http = new HubClient(client, hub.port());
    assertWholeStream(sseEvents(hub, finishedStream(hub, "before the freeze")));

    redis.freeze();
    long start = System.nanoTime();
    HttpResponse<Buffer> refused = http.postJson("/v1/streams", TestHubs.chat("while frozen", 1L)).await(WAIT_S, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(503, refused.statusCode(), refused.bodyAsString());
    assertEquals(ErrorCode.STORE_UNAVAILABLE.code(), refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertTrue(tookMs < 5_000, "answered in " + tookMs + " ms, not held until Redis answers");
    assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, failureOf(hub.log().ping())).code());

    redis.thaw();
    TestHubs.eventually(client, 100, 300, () -> hub.log().ping().map(true).otherwise(false)).await(WAIT_S, TimeUnit.SECONDS);
    assertWholeStream(sseEvents(hub, finishedStream(hub, "after the thaw")));
    http.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    return future.transform(ar -> Future.succeededFuture(ar.cause())).await(WAIT_S, TimeUnit.SECONDS);
  }
}
