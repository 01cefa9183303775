package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.InJvmCluster;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code "cancel_on_disconnect": true}: a generation whose last reader went away is cancelled (the
 * log ends {@code cancelled}, as a DELETE ends it) once no reader came back within the grace; a
 * reader back in time, on the same node or on another node of the cluster, keeps it to {@code done};
 * without the option a generation always runs to {@code done}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CancelOnDisconnectTest {

  /** 50 tokens/s, 150 tokens: an answer takes 3 s, far longer than the graces below. */
  private static final int TOKENS = 150;
  private static final long TOKEN_INTERVAL_MS = 20;
  /** The grace of the cancelled case: short, so the test does not wait long. */
  private static final long SHORT_GRACE_MS = 300;
  /** The grace of the reconnect cases: a reconnect takes far less, and the answer runs far longer. */
  private static final long LONG_GRACE_MS = 1500;

  private final InJvmCluster cluster = new InJvmCluster();

  @AfterEach
  void stopNodes() {
    cluster.close();
  }

  private static JsonObject slow() {
    return new JsonObject().put("demo_tokens_per_second", 1000 / TOKEN_INTERVAL_MS).put("demo_answer_tokens", TOKENS)
        .put("disconnect_grace_max_ms", LONG_GRACE_MS);
  }

  private Hub hub(JsonObject config) throws Exception {
    return TestHubs.start(cluster.plain(), config).await(60, TimeUnit.SECONDS);
  }

  private static HubClient client(Hub hub) {
    return new HubClient(hub.vertx(), hub.port());
  }

  /**
   * An OpenAI-format chat stream on {@code hub} read until {@code events} chunks arrived; the
   * connection then closed, and the hub saw it close (no connection open there).
   */
  private static String readSomeThenDisconnect(Hub hub, JsonObject extra, int events) throws Exception {
    HubClient client = client(hub);
    Buffer body = TestHubs.chat("leave early", 1L).put("stream", true).mergeIn(extra).toBuffer();
    MultiMap json = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    HubClient.LiveSse live = client.openSse(HttpMethod.POST, "/v1/chat/completions", json, body).await(30, TimeUnit.SECONDS);
    assertEquals(200, live.status());
    String id = live.headers().get("X-Stream-Id");
    live.until(frames -> SseFrame.events(frames).size() >= events).await(30, TimeUnit.SECONDS);
    live.disconnect().await(10, TimeUnit.SECONDS);
    gone(hub);
    return id;
  }

  /** Waits (bounded) until {@code hub} has no reading connection open. */
  private static void gone(Hub hub) throws Exception {
    TestHubs.eventually(hub.vertx(), 5, 2000, () -> Future.succeededFuture(hub.stats().connections() == 0)).await(30, TimeUnit.SECONDS);
  }

  /** The whole log of a finished stream, as native SSE events. */
  private static List<SseFrame> wholeLog(HubClient client, String id) throws Exception {
    HubClient.SseResponseText text = client.readSse("/v1/streams/" + id + "/events").await(30, TimeUnit.SECONDS);
    assertEquals(200, text.status());
    return SseFrame.events(text.frames());
  }

  private static void assertEndsWith(List<SseFrame> events, String terminal) {
    assertEquals(LongStream.range(0, events.size()).boxed().collect(Collectors.toList()), SseFrame.offsets(events));
    assertEquals(terminal, events.get(events.size() - 1).event(), "last event of " + events.size());
  }

  /** Reads the stream again from offset 0 to its end (the client came back), and checks it ended {@code done}. */
  private static void reconnectAndReadToDone(HubClient client, String id) throws Exception {
    List<SseFrame> events = wholeLog(client, id);
    assertEndsWith(events, "done");
    assertEquals(TOKENS + 2, events.size(), "every token, usage and done");
  }

  @Test
  void anOptedInStreamIsCancelledAfterTheGraceWhenNobodyComesBack() throws Exception {
    Hub hub = hub(slow());
    HubClient client = client(hub);
    long left = System.nanoTime();
    String id = readSomeThenDisconnect(hub, new JsonObject().put("cancel_on_disconnect", true)
        .put("disconnect_grace_ms", SHORT_GRACE_MS), 3);
    JsonObject meta = client.awaitFinished(cluster.nodes().get(0), id).await(30, TimeUnit.SECONDS);
    long afterMs = (System.nanoTime() - left) / 1_000_000;
    assertTrue(afterMs >= SHORT_GRACE_MS, "cancelled " + afterMs + " ms after the disconnect, grace " + SHORT_GRACE_MS);
    long next = meta.getLong("next_offset");
    assertTrue(next < TOKENS, "cancelled mid-answer, next_offset " + next);
    List<SseFrame> events = wholeLog(client, id);
    assertEndsWith(events, "cancelled");
    assertEquals("client", new JsonObject(events.get(events.size() - 1).data()).getJsonObject("data").getString("reason"));
    // the worker stopped: for several token intervals nothing is appended after the cancelled event
    TestHubs.consistently(cluster.nodes().get(0), TOKEN_INTERVAL_MS, 10, () -> client.get("/v1/streams/" + id).map(resp -> {
      assertEquals(next, resp.bodyAsJsonObject().getLong("next_offset"));
      return resp;
    })).await(30, TimeUnit.SECONDS);
  }

  @Test
  void aReaderBackWithinTheGraceOnTheSameNodeKeepsTheGenerationToDone() throws Exception {
    Hub hub = hub(slow());
    String id = readSomeThenDisconnect(hub, new JsonObject().put("cancel_on_disconnect", true), 3);
    reconnectAndReadToDone(client(hub), id);
  }

  @Test
  void withoutTheOptionAGenerationWithoutReadersRunsToDone() throws Exception {
    // the shortest grace: were the option applied anyway, the answer would be cancelled long before its end
    Hub hub = hub(slow().put("disconnect_grace_max_ms", 1));
    HubClient client = client(hub);
    String id = readSomeThenDisconnect(hub, new JsonObject(), 3);
    client.awaitFinished(cluster.nodes().get(0), id).await(30, TimeUnit.SECONDS);
    List<SseFrame> events = wholeLog(client, id);
    assertEndsWith(events, "done");
    assertEquals(TOKENS + 2, events.size());
  }

  @Test
  void aBadOptionIsBadRequest() throws Exception {
    HubClient client = client(hub(slow()));
    for (JsonObject bad : List.of(
        new JsonObject().put("cancel_on_disconnect", "yes"),
        new JsonObject().put("disconnect_grace_ms", 100),
        new JsonObject().put("cancel_on_disconnect", true).put("disconnect_grace_ms", LONG_GRACE_MS + 1),
        new JsonObject().put("cancel_on_disconnect", true).put("disconnect_grace_ms", 0),
        new JsonObject().put("cancel_on_disconnect", true).put("disconnect_grace_ms", 1.5))) {
      for (String path : List.of("/v1/chat/completions", "/v1/streams")) {
        var resp = client.postJson(path, TestHubs.chat("bad", 1L).mergeIn(bad)).await(30, TimeUnit.SECONDS);
        assertEquals(400, resp.statusCode(), path + " " + bad.encode() + ": " + resp.bodyAsString());
        assertEquals("bad_request", resp.bodyAsJsonObject().getJsonObject("error").getString("code"), resp.bodyAsString());
      }
    }
  }

  @Test
  void aStreamCreatedByPostV1StreamsIsCancelledWhenItsReaderLeaves() throws Exception {
    Hub hub = hub(slow());
    HubClient client = client(hub);
    String id = client.createStream(TestHubs.chat("native", 2L).put("cancel_on_disconnect", true)
        .put("disconnect_grace_ms", SHORT_GRACE_MS)).await(30, TimeUnit.SECONDS);
    HubClient.LiveSse live = client.openSse("/v1/streams/" + id + "/events", MultiMap.caseInsensitiveMultiMap()).await(30, TimeUnit.SECONDS);
    live.until(frames -> SseFrame.events(frames).size() >= 3).await(30, TimeUnit.SECONDS);
    live.disconnect().await(10, TimeUnit.SECONDS);
    gone(hub);
    client.awaitFinished(cluster.nodes().get(0), id).await(30, TimeUnit.SECONDS);
    assertEndsWith(wholeLog(client, id), "cancelled");
  }


  private static JsonObject clusterNode(String roles) {
    return slow().mergeIn(InJvmCluster.hubNode(roles))
        .put("demo_enabled", roles.equals("all"));
  }

  @Test
  void inAClusterAReaderBackOnAnotherNodeKeepsTheGenerationToDoneAndNoReaderAnywhereCancels() throws Exception {
    String clusterName = "streamhub-disconnect-" + UUID.randomUUID();
    Vertx first = cluster.join(clusterName);
    Vertx second = cluster.join(clusterName);
    Hub one = Hub.start(first, TestHubs.config(clusterNode("all"))).await(60, TimeUnit.SECONDS);
    Hub two = Hub.start(second, TestHubs.config(clusterNode("edge"))).await(60, TimeUnit.SECONDS);
    HubClient onOne = new HubClient(first, one.port());
    HubClient onTwo = new HubClient(second, two.port());

    // left node one, back on node two within the grace: node one's watch must see node two's reader
    String kept = readSomeThenDisconnect(one, new JsonObject().put("cancel_on_disconnect", true), 3);
    reconnectAndReadToDone(onTwo, kept);

    // left node one, nobody back anywhere: cancelled after the grace
    String dropped = readSomeThenDisconnect(one, new JsonObject().put("cancel_on_disconnect", true)
        .put("disconnect_grace_ms", SHORT_GRACE_MS), 3);
    onTwo.awaitFinished(second, dropped).await(30, TimeUnit.SECONDS);
    assertEndsWith(wholeLog(onTwo, dropped), "cancelled");
  }
}
