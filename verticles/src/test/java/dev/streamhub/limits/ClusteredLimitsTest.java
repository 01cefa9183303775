package dev.streamhub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.auth.Bystander;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.cluster.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Limits across two clustered nodes (two Vert.x instances clustered by two embedded Hazelcast
 * members in this JVM, each running a whole hub, stream log and limits in Hazelcast): the cluster
 * admits a budget once, not once per node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusteredLimitsTest {

  private static final long WINDOW_MS = 60_000;
  private final List<Vertx> nodes = new ArrayList<>();
  private final List<Hub> hubs = new ArrayList<>();
  private HubClient onA;
  private HubClient onB;
  private Bystander bystander;

  @BeforeAll
  void startTwoNodes() {
    String cluster = "streamhub-limits-" + UUID.randomUUID();
    JsonObject config = new JsonObject()
        .put("cluster_config", NodeProcess.LOOPBACK_CONFIG.toString()) // read by HubMain only; these nodes are clustered below
        .put("log_store", "hazelcast")
        .put("limits_store", "hazelcast")
        .put("limits_request_rate", 10)
        .put("limits_request_key", "header:X-Client")
        .put("limits_request_window_ms", WINDOW_MS)
        .put("limits_token_rate", 30)
        .put("limits_token_key", "query:tenant")
        .put("demo_answer_tokens", 100)
        .put("demo_tokens_per_second", 1000);
    for (int i = 0; i < 2; i++) {
      Vertx vertx = await(Vertx.builder().withClusterManager(new HazelcastClusterManager(EmbeddedHazelcast.config(cluster))).buildClustered());
      nodes.add(vertx);
      hubs.add(await(TestHubs.start(vertx, config)));
    }
    onA = new HubClient(nodes.get(0), hubs.get(0).port());
    onB = new HubClient(nodes.get(1), hubs.get(1).port());
    bystander = Bystander.start(onA, null);
  }

  @AfterAll
  void stop() {
    try {
      bystander.assertIntact();
    } finally {
      hubs.forEach(hub -> await(hub.stop()));
      nodes.forEach(vertx -> await(vertx.close()));
    }
  }

  static <T> T await(Future<T> future) {
    return future.timeout(60, TimeUnit.SECONDS).await();
  }

  @Test
  void twoNodesAdmitTheRequestBudgetOnce() {
    // the 20 requests must share one fixed window: if this one ends within 5 s, start in the next
    long left = WINDOW_MS - System.currentTimeMillis() % WINDOW_MS;
    if (left < 5000) {
      await(TestHubs.delay(nodes.get(0), left + 20));
    }
    String key = "tenant-" + UUID.randomUUID();
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      HubClient node = i % 2 == 0 ? onA : onB;
      responses.add(node.web().get(node.port(), "127.0.0.1", "/v1/models").putHeader("X-Client", key).send());
    }
    await(Future.all(responses));
    long ok = responses.stream().filter(r -> r.result().statusCode() == 200).count();
    long limited = responses.stream().filter(r -> r.result().statusCode() == 429).count();
    assertEquals(10, ok, "the cluster admits the budget of 10 once");
    assertEquals(10, limited);
    responses.stream().filter(r -> r.result().statusCode() == 429).forEach(r -> LimitsTest.expectRateLimited(r.result()));
  }

  @Test
  void aTokenBudgetSpentOnOneNodeIsSpentOnTheOther() {
    String tenant = "acme-" + UUID.randomUUID();
    HttpResponse<Buffer> created = await(onA.web().post(onA.port(), "127.0.0.1", "/v1/streams?tenant=" + tenant)
        .sendJsonObject(TestHubs.chat("a long answer", 5L)));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String stream = created.bodyAsJsonObject().getString("stream");
    HubClient.SseResponseText text = await(onB.readSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()));
    List<SseFrame> frames = text.frames().stream().filter(f -> f.data() != null).toList();
    assertEquals(31, frames.size(), "30 tokens then the end, read on the other node");
    assertEquals("token_quota_exceeded", new JsonObject(frames.get(30).data()).getJsonObject("data").getString("code"));
    LimitsTest.expectRateLimited(await(onB.web().post(onB.port(), "127.0.0.1", "/v1/streams?tenant=" + tenant)
        .sendJsonObject(TestHubs.chat("more", 5L))));
  }
}
