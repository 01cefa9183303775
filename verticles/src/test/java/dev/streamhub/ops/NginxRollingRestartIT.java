package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling restart behind a real nginx ({@code cluster-config/nginx.conf}): one worker node and
 * three edge nodes, each its own JVM, in a cluster of their own (random name, Hazelcast ports of a
 * random range above 47300, nothing of 5701-5720 or 47100-47199). 102 clients, a third each on
 * SSE, WebSocket and long-poll, each read a long generation through nginx while every edge is
 * drained by SIGTERM and started again, one after the other; halfway a fourth edge joins, nginx is
 * reloaded with it, and new clients reach it. Every client must end with exactly the offsets
 * {@code 0..n-1} of its stream, each once, ending with {@code done}; the longest pause any client
 * saw between two events is printed. Last, the new edge is drained by {@code POST /admin/drain}
 * (the other nodes' {@code GET /v1/cluster} shows it {@code drained}) and put back in service.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NginxRollingRestartIT {

  static final int ANSWER_TOKENS = 500;
  static final int TOKENS_PER_SECOND = 10;
  static final int CLIENTS_PER_TRANSPORT = 34;
  static final int LATE_CLIENTS_PER_TRANSPORT = 4;
  static final List<String> TRANSPORTS = List.of("sse", "ws", "poll");
  static final String ADMIN_TOKEN = "nginx-it-admin-token-0123456789";

  private final String cluster = "streamhub-nginx-it-" + UUID.randomUUID();
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new HashMap<>();
  private Vertx vertx;
  private Nginx nginx;
  private Path hazelcastConfig;

  @AfterEach
  void tearDown() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    for (NodeProcess node : nodes.values()) {
      node.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void everyClientGetsEveryOffsetOnceThroughARollingRestartAndANewNodeTakesConnections() throws Exception {
    Nginx.nginxBinary(); // fails on CI, skips elsewhere, before any node starts, when nginx is missing
    vertx = Vertx.vertx();
    hazelcastConfig = LoopbackCluster.hazelcastConfig();
    startNode("w", "worker");
    for (String edge : List.of("e1", "e2", "e3")) {
      startNode(edge, "edge");
    }
    awaitMembers("e1", 4);
    awaitMembers("e3", 4);
    List.of("e1", "e2", "e3").forEach(this::awaitReady);
    nginx = Nginx.start(Path.of("target", "ops-it", cluster), LoopbackCluster.freePort(), edgePorts());
    HttpClient http = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(nginx.port()), new PoolOptions().setHttp1MaxSize(400));
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20));
    HubClient front = new HubClient(vertx, nginx.port());
    TestHubs.eventually(vertx, 200, 100, () -> front.postJson("/v1/streams", TestHubs.chat("ready?", 1L))
        .map(resp -> resp.statusCode() == 201).otherwise(false)).await();

    List<ResumingClient> clients = startClients(front, http, ws, CLIENTS_PER_TRANSPORT, 1000);
    awaitEvents(clients, 10);

    restart("e1");
    restart("e2");

    // scale out: a fourth edge joins, nginx is reloaded with it, and new clients come
    startNode("e4", "edge");
    awaitMembers("e4", 5);
    nginx.reload(edgePorts());
    String e4 = new HubClient(vertx, ports.get("e4")).get("/v1/cluster").await().bodyAsJsonObject().getString("node");
    List<ResumingClient> late = startClients(front, http, ws, LATE_CLIENTS_PER_TRANSPORT, 2000);
    awaitEvents(late, 5);

    restart("e3");

    List<ResumingClient> all = new ArrayList<>(clients);
    all.addAll(late);
    Future.join(all.stream().map(client -> client.finishedWithin(150_000)).collect(Collectors.toList()))
        .otherwiseEmpty().await();
    report(all);
    for (ResumingClient client : all) {
      List<Long> expected = LongStream.range(0, ANSWER_TOKENS + 2).boxed().collect(Collectors.toList());
      assertEquals(expected, client.offsets, client.transport() + " client of " + client.stream + " (" + client.connects + " connections)");
      assertEquals("done", client.lastType, client.stream);
    }
    assertTrue(late.stream().anyMatch(client -> client.nodes.contains(e4)),
        "no new client was served by the new node " + e4 + ": " + late.stream().map(c -> c.nodes.toString()).collect(Collectors.joining(" ")));
    assertTrue(all.stream().anyMatch(client -> client.connects > 1), "the restarts moved no client");

    // an admin drain of the new node, seen by the others in GET /v1/cluster, then undone
    HubClient onE4 = new HubClient(vertx, ports.get("e4"));
    var drained = onE4.web().post(ports.get("e4"), "127.0.0.1", "/admin/drain").putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send().await();
    assertEquals(202, drained.statusCode(), drained.bodyAsString());
    awaitState("e1", e4, "drained");
    assertEquals(503, onE4.get("/health/ready").await().statusCode());
    var undrained = onE4.web().post(ports.get("e4"), "127.0.0.1", "/admin/undrain").putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send().await();
    assertEquals("up", undrained.bodyAsJsonObject().getString("state"));
    awaitState("e1", e4, "up");
    assertEquals(200, onE4.get("/health/ready").await().statusCode());
  }

  /** Waits until {@code edge}'s GET /v1/cluster shows {@code node} in {@code state}. */
  private void awaitState(String edge, String node, String state) {
    HubClient client = new HubClient(vertx, ports.get(edge));
    TestHubs.eventually(vertx, 200, 100, () -> client.get("/v1/cluster").map(resp -> resp.bodyAsJsonObject().getJsonArray("members")
        .stream().map(m -> (JsonObject) m).anyMatch(m -> node.equals(m.getString("node")) && state.equals(m.getString("state"))))
        .otherwise(false)).await();
    client.close();
  }

  private List<ResumingClient> startClients(HubClient front, HttpClient http, WebSocketClient ws, int perTransport, long seedBase) {
    List<ResumingClient> clients = new ArrayList<>();
    long seed = seedBase;
    for (int i = 0; i < perTransport; i++) {
      for (String transport : TRANSPORTS) {
        String stream = create(front, TestHubs.chat("a long answer read through nginx", seed++));
        clients.add(ResumingClient.of(transport, vertx, http, ws, nginx.port(), stream));
      }
    }
    clients.forEach(ResumingClient::start);
    return clients;
  }

  /**
   * Creates a stream through nginx; a 503 from a node that is draining is retried, as a client would,
   * and so is a pooled keep-alive connection that nginx closed as the request went out (nginx closes
   * idle client connections when it reloads or restarts its workers: "Connection was closed").
   */
  private String create(HubClient front, JsonObject request) {
    for (int attempt = 0; attempt < 50; attempt++) {
      String stream = front.postJson("/v1/streams", request)
          .map(resp -> resp.statusCode() == 201 ? resp.bodyAsJsonObject().getString("stream") : null)
          .otherwise((String) null)
          .await();
      if (stream != null) {
        return stream;
      }
      TestHubs.delay(vertx, 100).await();
    }
    throw new AssertionError("no stream created through nginx in 50 attempts");
  }

  /** SIGTERM (drain, leave, exit), then the same node again on the same port. */
  private void restart(String name) throws Exception {
    long started = System.nanoTime();
    nodes.get(name).stop();
    long drainedMs = (System.nanoTime() - started) / 1_000_000;
    startNode(name, "edge");
    awaitMembers(name, nodes.size());
    awaitReady(name);
    System.out.printf("[nginx-it] %s drained and exited in %d ms, back in service after %d ms%n",
        name, drainedMs, (System.nanoTime() - started) / 1_000_000);
  }

  private void startNode(String name, String roles) throws IOException {
    int port = ports.computeIfAbsent(name, n -> LoopbackCluster.freePort());
    Map<String, String> env = new HashMap<>(Map.of(
        "STREAMHUB_CLUSTER_CONFIG", hazelcastConfig.toAbsolutePath().toString(),
        "STREAMHUB_HTTP_PORT", Integer.toString(port),
        "STREAMHUB_DEMO_TTFT_MS", "0",
        "STREAMHUB_DEMO_TOKENS_PER_SECOND", Integer.toString(TOKENS_PER_SECOND),
        "STREAMHUB_DEMO_ANSWER_TOKENS", Integer.toString(ANSWER_TOKENS),
        "STREAMHUB_DRAIN_TIMEOUT_MS", "10000",
        "STREAMHUB_WORKER_INSTANCES", "2",
        "STREAMHUB_ADMIN_TOKEN", ADMIN_TOKEN));
    nodes.put(name, NodeProcess.start("nginx-it-" + name + "-" + System.nanoTime(), cluster, roles, env));
  }

  private List<Integer> edgePorts() {
    return nodes.keySet().stream().filter(n -> n.startsWith("e")).map(ports::get).collect(Collectors.toList());
  }

  private void awaitMembers(String edge, int count) {
    HubClient client = new HubClient(vertx, ports.get(edge));
    TestHubs.eventually(vertx, 200, 300, () -> {
      for (NodeProcess node : nodes.values()) {
        if (node.exitedUnexpectedly()) {
          throw new AssertionError("node " + node.name() + " exited; see target/it-logs/" + node.name() + ".log");
        }
      }
      return client.get("/v1/cluster").map(resp -> {
        if (resp.statusCode() != 200) {
          return false;
        }
        JsonArray members = resp.bodyAsJsonObject().getJsonArray("members");
        return members.size() == count && members.stream().allMatch(m -> !((JsonObject) m).getJsonArray("roles").isEmpty());
      }).otherwise(false);
    }).await();
    client.close();
  }

  /** /health/ready of {@code edge} answers 200 {"status":"UP"}: joined, its Hazelcast store answered a ping, not draining. */
  private void awaitReady(String edge) {
    HubClient client = new HubClient(vertx, ports.get(edge));
    TestHubs.eventually(vertx, 100, 100, () -> client.get("/health/ready")
        .map(resp -> resp.statusCode() == 200 && resp.bodyAsString().equals("{\"status\":\"UP\"}")).otherwise(false)).await();
    client.close();
  }

  private void awaitEvents(List<ResumingClient> clients, int events) {
    TestHubs.eventually(vertx, 100, 600, () -> Future.succeededFuture(clients.stream().allMatch(c -> c.offsets.size() >= events))).await();
  }

  private static void report(List<ResumingClient> clients) {
    for (String transport : TRANSPORTS) {
      List<ResumingClient> of = clients.stream().filter(c -> c.transport().equals(transport)).collect(Collectors.toList());
      long longest = of.stream().mapToLong(c -> c.longestPauseMs).max().orElse(0);
      int connects = of.stream().mapToInt(c -> c.connects).sum();
      System.out.printf("[nginx-it] %s: %d clients, %d connections (long-poll: requests), longest pause %d ms%n", transport, of.size(), connects, longest);
    }
    System.out.printf("[nginx-it] longest pause any client saw: %d ms%n", clients.stream().mapToLong(c -> c.longestPauseMs).max().orElse(0));
  }
}
