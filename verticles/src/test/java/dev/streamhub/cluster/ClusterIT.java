package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.transport.ClusterHandler;
import dev.streamhub.transport.StreamReader;
import dev.streamhub.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A real cluster on loopback, one JVM per node ({@code target/streamhub.jar}), at most three at a
 * time: A and C are {@code edge} only, B is the only {@code worker}. The tests run in order on the
 * same cluster, each taking a node away: C is killed while clients read from it, a fourth node D
 * (edge and worker) joins and is drained by SIGTERM while clients read from it, and last the
 * worker's node B is killed.
 *
 * <p>Every stream is compared with the same request run by a single in-process hub: the demo model
 * is deterministic, so offsets, types and payloads must be identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterIT {

  static final long LEASE_MS = 500;
  static final long LOST_TIMEOUT_MS = 2000;
  static final int ANSWER_TOKENS = 120;

  static final String CLUSTER = "streamhub-it-" + UUID.randomUUID();
  static final Map<String, String> ENV = Map.of(
      "STREAMHUB_DEMO_TTFT_MS", "0",
      "STREAMHUB_DEMO_TOKENS_PER_SECOND", "40",
      "STREAMHUB_DEMO_ANSWER_TOKENS", Integer.toString(ANSWER_TOKENS),
      "STREAMHUB_WORKER_LEASE_MS", Long.toString(LEASE_MS),
      "STREAMHUB_WORKER_LOST_TIMEOUT_MS", Long.toString(LOST_TIMEOUT_MS),
      "STREAMHUB_WORKER_ACCEPT_TIMEOUT_MS", "3000",
      "STREAMHUB_SSE_HEARTBEAT_MS", "3600000");

  static Vertx vertx;
  static NodeProcess a;
  static NodeProcess b;
  static NodeProcess c;
  static NodeProcess d;
  static HubClient onA;
  static HubClient onC;
  static Hub single;
  static HubClient onSingle;

  @BeforeAll
  static void startCluster() throws Exception {
    vertx = Vertx.vertx();
    single = TestHubs.start(vertx, new JsonObject().put("demo_answer_tokens", ANSWER_TOKENS)).await();
    onSingle = new HubClient(vertx, single.port());
    // A first, so that it is the oldest member (the one that reaps lost workers' streams), then B and C
    a = NodeProcess.start("a", CLUSTER, "edge", ENV);
    onA = new HubClient(vertx, a.port());
    awaitMembers(onA, 1);
    b = NodeProcess.start("b", CLUSTER, "worker", ENV);
    c = NodeProcess.start("c", CLUSTER, "edge", ENV);
    onC = new HubClient(vertx, c.port());
    awaitMembers(onA, 3);
    awaitMembers(onC, 3);
    awaitGenerationAccepted(onA);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (NodeProcess node : new NodeProcess[] {a, b, c, d}) {
      if (node != null) {
        node.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @Order(1)
  void streamCreatedOnAComputedOnBReadOnCMatchesASingleNode() {
    JsonObject request = TestHubs.chat("how does a cluster deliver a stream", 7L);
    List<JsonObject> expected = singleNode(request);
    String stream = onA.createStream(request).await();

    List<JsonObject> received = read(Transport.SSE, c, stream, 0);

    assertEquals(content(expected), content(received));
    assertEquals(ANSWER_TOKENS + 2, received.size());

    JsonObject view = onC.get("/v1/cluster").await().bodyAsJsonObject();
    JsonArray members = view.getJsonArray("members");
    List<String> roles = members.stream().map(m -> ((JsonObject) m).getJsonArray("roles").encode()).sorted().collect(Collectors.toList());
    assertEquals(List.of("[\"edge\"]", "[\"edge\"]", "[\"worker\"]"), roles);
    String nodeOfA = onA.get("/v1/streams/" + stream).await().getHeader(ClusterHandler.NODE_HEADER);
    String nodeOfC = onC.get("/v1/streams/" + stream).await().getHeader(ClusterHandler.NODE_HEADER);
    assertEquals(view.getString("node"), nodeOfC);
    assertFalse(nodeOfA.equals(nodeOfC), "A and C must name different nodes");
    assertTrue(members.stream().anyMatch(m -> ((JsonObject) m).getString("node").equals(nodeOfA)));
  }

  @Test
  @Order(2)
  void killingTheClientsNodeLosesNothingAndEveryTransportResumesOnAnotherNode() throws Exception {
    List<JsonObject> requests = List.of(
        TestHubs.chat("resume over server-sent events", 11L),
        TestHubs.chat("resume over websocket", 12L),
        TestHubs.chat("resume over long-poll", 13L));
    List<List<JsonObject>> expected = requests.stream().map(ClusterIT::singleNode).collect(Collectors.toList());
    List<String> streams = new ArrayList<>();
    for (JsonObject request : requests) {
      streams.add(onA.createStream(request).await());
    }
    // more streams in flight, so that C surely owns or backs up part of the log (271 partitions)
    List<JsonObject> others = new ArrayList<>();
    List<String> otherStreams = new ArrayList<>();
    for (long seed = 100; seed < 109; seed++) {
      others.add(TestHubs.chat("spread over the partitions", seed));
      otherStreams.add(onA.createStream(others.get(others.size() - 1)).await());
    }

    // clients on C: SSE still connected when C dies; WebSocket and long-poll have read a prefix
    HubClient.LiveSse sse = onC.openSse("/v1/streams/" + streams.get(0) + "/events", MultiMap.caseInsensitiveMultiMap()).await();
    sse.until(frames -> SseFrame.events(frames).size() >= 10).await();
    List<JsonObject> wsPrefix = prefix(Transport.WS, c, streams.get(1), 7);
    List<JsonObject> pollPrefix = prefix(Transport.POLL, c, streams.get(2), 5);
    c.kill();
    sse.ended().transform(ar -> Future.succeededFuture()).await();
    List<JsonObject> ssePrefix = events(sse.frames());
    assertFalse(ssePrefix.get(ssePrefix.size() - 1).getString("type").equals("done"), "C must die mid-stream");

    List<List<JsonObject>> prefixes = List.of(ssePrefix, wsPrefix, pollPrefix);
    List<Transport> transports = List.of(Transport.SSE, Transport.WS, Transport.POLL);
    for (int i = 0; i < 3; i++) {
      List<JsonObject> whole = new ArrayList<>(prefixes.get(i));
      long last = whole.get(whole.size() - 1).getLong("offset");
      whole.addAll(read(transports.get(i), a, streams.get(i), last + 1));
      assertEquals(content(expected.get(i)), content(whole), transports.get(i) + ": resumed on A after C died");
    }
    // C held primaries and backups of the log: every stream is still complete, from offset 0
    for (int i = 0; i < 3; i++) {
      assertEquals(content(expected.get(i)), content(read(Transport.SSE, a, streams.get(i), 0)), "log of " + streams.get(i));
    }
    for (int i = 0; i < others.size(); i++) {
      assertEquals(content(singleNode(others.get(i))), content(read(Transport.SSE, a, otherStreams.get(i), 0)), "log of " + otherStreams.get(i));
    }
  }

  @Test
  @Order(3)
  void drainingANodeHandsItsReadersToAnotherNodeFinishesItsGenerationsAndDisturbsNobodyElse() throws Exception {
    d = NodeProcess.start("d", CLUSTER, "all", ENV);
    HubClient onD = new HubClient(vertx, d.port());
    awaitMembers(onA, 3);
    awaitMembers(onD, 3);
    // created on D: the event bus spreads the generations over B's and D's workers (round robin)
    List<JsonObject> requests = new ArrayList<>();
    List<String> streams = new ArrayList<>();
    for (long seed = 41; seed < 47; seed++) {
      requests.add(TestHubs.chat("a node drains", seed));
      streams.add(onD.createStream(requests.get(requests.size() - 1)).await());
    }
    List<HubClient.LiveSse> readersOnD = new ArrayList<>();
    for (String stream : streams) {
      readersOnD.add(onD.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()).await());
    }
    HubClient.LiveSse readerOnA = onA.openSse("/v1/streams/" + streams.get(0) + "/events", MultiMap.caseInsensitiveMultiMap()).await();
    for (HubClient.LiveSse reader : readersOnD) {
      reader.until(frames -> SseFrame.events(frames).size() >= 5).await();
    }

    long sigterm = System.nanoTime();
    d.stop();
    long drainedMs = (System.nanoTime() - sigterm) / 1_000_000;

    for (int i = 0; i < streams.size(); i++) {
      List<SseFrame> frames = readersOnD.get(i).ended().await();
      SseFrame last = frames.get(frames.size() - 1);
      assertEquals("reconnect", last.event(), "reader of " + streams.get(i) + " on D: " + last.raw());
      List<JsonObject> whole = new ArrayList<>(events(frames.subList(0, frames.size() - 1)));
      long next = new JsonObject(last.data()).getLong("next");
      assertEquals(whole.size(), next, "the reconnect event names the next offset");
      whole.addAll(read(Transport.SSE, a, streams.get(i), next));
      // identical to a single node: nothing lost or repeated, and generations that ran on D ended with done
      assertEquals(content(singleNode(requests.get(i))), content(whole), "resumed on A after D drained: " + streams.get(i));
    }
    assertEquals(content(singleNode(requests.get(0))), content(events(readerOnA.ended().await())), "a reader on A, undisturbed");
    assertTrue(drainedMs < 20_000, "D drained and exited in " + drainedMs + " ms");
    awaitMembers(onA, 2);
  }

  @Test
  @Order(4)
  void killingTheWorkersNodeEndsItsStreamsWithWorkerLostInTime() throws Exception {
    JsonObject request = TestHubs.chat("the worker dies", 31L);
    List<JsonObject> expected = singleNode(request);
    String stream = onA.createStream(request).await();
    HubClient.LiveSse sse = onA.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()).await();
    sse.until(frames -> SseFrame.events(frames).size() >= 10).await();

    long killed = System.nanoTime();
    b.kill();
    List<JsonObject> received = events(sse.ended().await());
    long tookMs = (System.nanoTime() - killed) / 1_000_000;

    JsonObject last = received.get(received.size() - 1);
    assertEquals("error", last.getString("type"));
    assertEquals("worker_lost", last.getJsonObject("data").getString("code"));
    List<JsonObject> beforeLoss = received.subList(0, received.size() - 1);
    assertEquals(content(expected.subList(0, beforeLoss.size())), content(beforeLoss));
    assertEquals(LongStream.range(0, received.size()).boxed().collect(Collectors.toList()),
        received.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
    long bound = LOST_TIMEOUT_MS + 2 * LEASE_MS + 1500;
    assertTrue(tookMs <= bound, "worker_lost after " + tookMs + " ms, bound " + bound + " ms");
    // the log agrees, with exactly one terminal event; /v1/models stops listing the model of the
    // only worker, and a new request for it says no worker serves it (not that one did not answer in time)
    assertEquals(content(received), content(read(Transport.SSE, a, stream, 0)));
    TestHubs.eventually(vertx, 100, 200, () -> onA.get("/v1/models").map(resp -> resp.bodyAsJsonObject().getJsonArray("data").isEmpty()))
        .timeout(30, TimeUnit.SECONDS).await();
    var refused = onA.postJson("/v1/streams", request).await();
    assertEquals(404, refused.statusCode(), refused.bodyAsString());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals("model_not_found", error.getString("code"));
    assertEquals("The model 'demo' does not exist: no live worker serves it", error.getString("message"));
  }

  // ---------------------------------------------------------------------------------------------

  /** The events of {@code request} on a single node, to compare with. */
  static List<JsonObject> singleNode(JsonObject request) {
    String stream = onSingle.createStream(request).await();
    return Transport.SSE.reader(vertx, single.port()).readAll(stream, 0).await();
  }

  static List<JsonObject> read(Transport transport, NodeProcess node, String stream, long from) {
    StreamReader reader = transport.reader(vertx, node.port());
    try {
      return reader.readAll(stream, from).await();
    } finally {
      reader.close().await();
    }
  }

  static List<JsonObject> prefix(Transport transport, NodeProcess node, String stream, int count) {
    StreamReader reader = transport.reader(vertx, node.port());
    return reader.readSome(stream, 0, count).await();
  }

  /** What must be identical across runs: offset, type and payload (not the stream id or time). */
  static List<String> content(List<JsonObject> events) {
    return events.stream()
        .map(e -> e.getLong("offset") + " " + e.getString("type") + " " + e.getJsonObject("data").encode())
        .collect(Collectors.toList());
  }

  static List<JsonObject> events(List<SseFrame> frames) {
    return SseFrame.events(frames).stream().map(f -> new JsonObject(f.data())).collect(Collectors.toList());
  }

  /** Waits until {@code client}'s node sees {@code count} members, each with its node card. */
  static void awaitMembers(HubClient client, int count) {
    TestHubs.eventually(vertx, 200, 150, () -> {
      checkAlive();
      return client.get("/v1/cluster").map(resp -> {
        if (resp.statusCode() != 200) {
          return false;
        }
        JsonArray members = resp.bodyAsJsonObject().getJsonArray("members");
        return members.size() == count && members.stream().allMatch(m -> !((JsonObject) m).getJsonArray("roles").isEmpty());
      }).otherwise(false);
    }).await();
  }

  /** Waits until a generation request sent to {@code client}'s node is taken by a worker. */
  static void awaitGenerationAccepted(HubClient client) {
    TestHubs.eventually(vertx, 200, 100, () -> {
      checkAlive();
      return client.postJson("/v1/streams", TestHubs.chat("ready?", 1L)).map(resp -> resp.statusCode() == 201).otherwise(false);
    }).await();
  }

  static void checkAlive() {
    for (NodeProcess node : new NodeProcess[] {a, b, c, d}) {
      if (node != null && node.exitedUnexpectedly()) {
        throw new AssertionError("node " + node.name() + " exited; see " + logOf(node));
      }
    }
  }

  static String logOf(NodeProcess node) {
    Path log = Path.of("target", "it-logs", node.name() + ".log");
    try {
      return log + ":\n" + Files.readString(log);
    } catch (Exception e) {
      return log.toString();
    }
  }
}
