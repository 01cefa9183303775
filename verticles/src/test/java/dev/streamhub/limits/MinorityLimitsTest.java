package dev.streamhub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.cluster.InJvmCluster;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limit counters ({@code streamhub.limits*}) are under the cluster's quorum ({@code cluster_quorum}),
 * as the stream log is: two data members in this JVM with {@code cluster_quorum} 2; once one leaves,
 * the node left on the minority side refuses every limited request with 503 {@code store_unavailable}
 * instead of counting (or letting through) a second budget of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MinorityLimitsTest {

  /** What the Hazelcast limiter's refusal on a minority node says ({@code HazelcastLimiter.NO_QUORUM}). */
  private static final String LIMITER_REFUSAL = "limits cannot be counted here";

  private final InJvmCluster cluster = new InJvmCluster();

  @AfterEach
  void stopNodes() {
    cluster.close();
  }

  private static JsonObject node(String roles) {
    return common(roles)
        .put("limits_request_rate", 1000)
        .put("limits_request_key", "ip")
        .put("limits_connections_per_ip", 100);
  }

  /** Only the slot limits: a refusal can come from a connection or concurrent-stream slot alone. */
  private static JsonObject slotsOnly(String roles) {
    return common(roles)
        .put("limits_connections_per_ip", 100)
        .put("limits_concurrent_streams", 100)
        .put("demo_tokens_per_second", 20)
        .put("demo_answer_tokens", 2000);
  }

  private static JsonObject common(String roles) {
    return InJvmCluster.hubNode(roles)
        .put("cluster_quorum", 2)
        .put("limits_store", "hazelcast")
        .put("demo_enabled", roles.equals("all"));
  }

  @Test
  void theMinoritySideRefusesLimitedRequestsWithStoreUnavailable() throws Exception {
    String clusterName = "streamhub-minority-limits-" + UUID.randomUUID();
    Vertx minority = cluster.joinAsHub(clusterName, node("all"));
    Vertx otherNode = cluster.joinAsHub(clusterName, node("edge"));
    Hub hub = Hub.start(minority, TestHubs.config(node("all"))).await(60, TimeUnit.SECONDS);
    Hub other = Hub.start(otherNode, TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS);
    HubClient client = new HubClient(minority, hub.port());
    assertEquals(200, client.get("/v1/models").await(30, TimeUnit.SECONDS).statusCode(), "with the quorum the limits count");

    other.stop().await(30, TimeUnit.SECONDS);
    cluster.leave(otherNode);
    // Hazelcast updates the protection's state a moment after the membership change
    TestHubs.eventually(minority, 20, 500, () -> io.vertx.core.Future.succeededFuture(!HazelcastSetup.hasQuorum(minority)))
        .await(30, TimeUnit.SECONDS);
    assertFalse(HazelcastSetup.hasQuorum(minority), "one data member of two: no quorum within 10 s");

    // a short API call and a reading connection, both counted by the limits: refused, not admitted
    for (String path : List.of("/v1/models", "/v1/streams/st_aaaaaaaaaaaaaaaaaaaaaa/events")) {
      HttpResponse<Buffer> refused = client.get(path).await(30, TimeUnit.SECONDS);
      assertEquals(503, refused.statusCode(), path + ": " + refused.bodyAsString());
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertEquals("store_unavailable", error.getString("code"), refused.bodyAsString());
      assertTrue(error.getString("message").contains("cluster_quorum"), error.getString("message"));
    }
    hub.stop().await(30, TimeUnit.SECONDS);
  }

  /**
   * The slots on the minority side: a reading connection (SSE: 503 {@code store_unavailable}; a
   * WebSocket: an error message and close 1012 {@code store_unavailable}) and a generation's
   * concurrent-stream slot are refused, not admitted uncounted; the same requests were admitted
   * while the node held the quorum.
   */
  @Test
  void theMinoritySideRefusesConnectionAndStreamSlotsWithStoreUnavailable() throws Exception {
    String clusterName = "streamhub-minority-slots-" + UUID.randomUUID();
    Vertx minority = cluster.joinAsHub(clusterName, slotsOnly("all"));
    Vertx otherNode = cluster.joinAsHub(clusterName, slotsOnly("edge"));
    Hub hub = Hub.start(minority, TestHubs.config(slotsOnly("all"))).await(60, TimeUnit.SECONDS);
    Hub other = Hub.start(otherNode, TestHubs.config(slotsOnly("edge"))).await(60, TimeUnit.SECONDS);
    HubClient client = new HubClient(minority, hub.port());

    // with the quorum: a generation, an SSE reader and a WebSocket reader are admitted and counted
    String stream = client.createStream(TestHubs.chat("admitted with the quorum", 3L)).await(30, TimeUnit.SECONDS);
    HubClient.LiveSse reader = client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap())
        .await(30, TimeUnit.SECONDS);
    assertEquals(200, reader.status());
    reader.until(frames -> !SseFrame.events(frames).isEmpty()).await(30, TimeUnit.SECONDS);
    WsOutcome admitted = WsOutcome.subscribe(minority, hub.port(), stream).await(30, TimeUnit.SECONDS);
    assertEquals(0L, admitted.message().getLong("offset"), admitted.message().encode());
    Limiter limiter = NodeLimits.of(minority).limiter();
    assertEquals(2L, limiter.held("conn|ip:127.0.0.1").await(30, TimeUnit.SECONDS));
    assertEquals(1L, limiter.held("streams|ip:127.0.0.1").await(30, TimeUnit.SECONDS));
    java.lang.ref.Reference.reachabilityFence(admitted.client());
    reader.disconnect().otherwiseEmpty().await(30, TimeUnit.SECONDS);

    other.stop().await(30, TimeUnit.SECONDS);
    cluster.leave(otherNode);
    TestHubs.eventually(minority, 20, 500, () -> io.vertx.core.Future.succeededFuture(!HazelcastSetup.hasQuorum(minority)))
        .await(30, TimeUnit.SECONDS);

    HttpResponse<Buffer> sse = client.get("/v1/streams/" + stream + "/events").await(30, TimeUnit.SECONDS);
    assertEquals(503, sse.statusCode(), sse.bodyAsString());
    JsonObject sseError = sse.bodyAsJsonObject().getJsonObject("error");
    assertEquals("store_unavailable", sseError.getString("code"), sse.bodyAsString());
    assertTrue(sseError.getString("message").contains(LIMITER_REFUSAL), "refused by the connection slot: " + sseError.getString("message"));

    WsOutcome refused = WsOutcome.subscribe(minority, hub.port(), stream).await(30, TimeUnit.SECONDS);
    assertEquals((short) 1012, refused.status(), refused.message().encode());
    assertEquals("store_unavailable", refused.reason());
    assertEquals("store_unavailable", refused.message().getJsonObject("error").getString("code"), refused.message().encode());
    assertTrue(refused.message().getJsonObject("error").getString("message").contains(LIMITER_REFUSAL), refused.message().encode());

    Throwable slot = NodeLimits.of(minority).admitGeneration(new Quota(null, "ip:127.0.0.1"))
        .map(quota -> (Throwable) null).otherwise(err -> err).await(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, slot).code());
    assertTrue(slot.getMessage().contains(LIMITER_REFUSAL), slot.getMessage());
    assertTrue(limiter.failsClosed(slot), "the concurrent-stream slot fails closed on the minority");
    HttpResponse<Buffer> create = client.postJson("/v1/streams", TestHubs.chat("on the minority", 4L)).await(30, TimeUnit.SECONDS);
    assertEquals(503, create.statusCode(), create.bodyAsString());
    assertEquals("store_unavailable", create.bodyAsJsonObject().getJsonObject("error").getString("code"), create.bodyAsString());
    hub.stop().await(30, TimeUnit.SECONDS);
  }

  /**
   * What a WebSocket subscribing to a stream saw first: a message with an offset, or an error and the
   * close; with its client, which the test keeps reachable while the socket must stay open (Vert.x 5
   * shuts down a client the GC finds unreferenced, closing its sockets: vert.x#5839).
   */
  private record WsOutcome(JsonObject message, short status, String reason, io.vertx.core.http.WebSocketClient client) {

    static io.vertx.core.Future<WsOutcome> subscribe(Vertx vertx, int port, String stream) {
      Promise<WsOutcome> outcome = Promise.promise();
      JsonObject[] error = new JsonObject[1];
      io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
      client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws"))
          .onFailure(outcome::tryFail)
          .onSuccess(ws -> {
            ws.textMessageHandler(text -> {
              JsonObject message = new JsonObject(text);
              if (message.containsKey("offset")) {
                outcome.tryComplete(new WsOutcome(message, (short) 0, null, null));
              } else if ("error".equals(message.getString("type"))) {
                error[0] = message;
              }
            });
            ws.closeHandler(v -> outcome.tryComplete(new WsOutcome(error[0] == null ? new JsonObject() : error[0], ws.closeStatusCode(), ws.closeReason(), null)));
            ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
          });
      return outcome.future().map(seen -> new WsOutcome(seen.message(), seen.status(), seen.reason(), client));
    }
  }
}
