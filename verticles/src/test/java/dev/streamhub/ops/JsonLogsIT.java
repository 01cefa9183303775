package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in their own JVMs with {@code log_format=json}: every line either node writes is one
 * JSON object carrying the node id (once known: {@code starting} before the cluster is joined), and
 * when one node is killed (-9) the other logs its death in one line, with no stack trace and no
 * Hazelcast warning.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JsonLogsIT {

  private final List<NodeProcess> nodes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess node : nodes) {
      node.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void everyLineIsJsonWithTheNodeAndAPeersDeathIsOneLine() throws Exception {
    vertx = Vertx.vertx();
    String cluster = "streamhub-logs-it-" + UUID.randomUUID();
    Path hazelcast = LoopbackCluster.hazelcastConfig();
    String name = "logs-it-" + System.nanoTime();
    NodeProcess a = start(name + "-a", cluster, hazelcast);
    NodeProcess b = start(name + "-b", cluster, hazelcast);
    String idA = awaitMembers(a, 2);
    String idB = awaitMembers(b, 2);
    // some work, so that the nodes talk over the event bus and the log is in use
    new HubClient(vertx, a.port()).createStream(TestHubs.chat("log something", 1L)).await();

    Path logA = Path.of("target", "it-logs", a.name() + ".log");
    int linesBeforeKill = lines(logA).size();
    b.kill();
    TestHubs.eventually(vertx, 100, 150, () -> Future.succeededFuture(
        lines(logA).stream().anyMatch(l -> message(l).equals("cluster member " + idB + " left: 1 members")))).await();
    // anything else the death causes has had time to show
    TestHubs.delay(vertx, 3000).await();

    List<JsonObject> all = lines(logA);
    for (JsonObject line : all) {
      String node = line.getJsonObject("context").getJsonObject("properties").getString(LogFormat.NODE_PROPERTY);
      assertTrue(node.equals(idA) || node.equals(LogFormat.PENDING_NODE), "node " + node + " in " + line.encode());
    }
    assertTrue(all.stream().anyMatch(l -> message(l).startsWith("StreamHub node " + idA + " up")), "the start line");
    List<JsonObject> afterKill = all.subList(linesBeforeKill, all.size());
    String shown = afterKill.stream().map(JsonObject::encode).collect(Collectors.joining("\n"));
    List<JsonObject> membership = afterKill.stream()
        .filter(l -> l.getString("loggerName").equals(MembershipLog.class.getName())).collect(Collectors.toList());
    assertEquals(1, membership.size(), "one line for the death: " + shown);
    assertEquals("cluster member " + idB + " left: 1 members", message(membership.get(0)));
    assertEquals("INFO", membership.get(0).getString("level"));
    assertEquals(idB, membership.get(0).getJsonArray("kvpList").getJsonObject(0).getString("member"));
    for (JsonObject line : afterKill) {
      // nothing else at WARN or above, no stack trace; what else there is are the hub's own lines (say, a stream that lost its worker)
      assertTrue(line.getString("level").equals("INFO") || line.getString("level").equals("DEBUG"), shown);
      assertTrue(line.getValue("throwable") == null, shown);
      assertTrue(line.getString("loggerName").startsWith("dev.streamhub."), shown);
    }
  }

  private NodeProcess start(String name, String cluster, Path hazelcast) throws Exception {
    NodeProcess node = NodeProcess.start(name, cluster, "all", Map.of(
        "STREAMHUB_CLUSTER_CONFIG", hazelcast.toAbsolutePath().toString(),
        "STREAMHUB_LOG_FORMAT", "json",
        "STREAMHUB_DEMO_TTFT_MS", "0",
        "STREAMHUB_WORKER_INSTANCES", "1"));
    nodes.add(node);
    return node;
  }

  /** Waits until {@code node} sees {@code count} members; returns its node id. */
  private String awaitMembers(NodeProcess node, int count) {
    HubClient client = new HubClient(vertx, node.port());
    String[] id = new String[1];
    TestHubs.eventually(vertx, 200, 300, () -> {
      if (node.exitedUnexpectedly()) {
        throw new AssertionError(node.name() + " exited");
      }
      return client.get("/v1/cluster").map(resp -> {
        if (resp.statusCode() != 200 || resp.bodyAsJsonObject().getJsonArray("members").size() != count) {
          return false;
        }
        id[0] = resp.bodyAsJsonObject().getString("node");
        return true;
      }).otherwise(false);
    }).await();
    return id[0];
  }

  /** Every whole line of the log, each parsed as one JSON object (fails on any other line). */
  private static List<JsonObject> lines(Path log) {
    try {
      List<JsonObject> lines = new ArrayList<>();
      String text = Files.readString(log);
      // only whole lines: the node may be writing the last one
      for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          lines.add(new JsonObject(line));
        } catch (RuntimeException e) {
          throw new AssertionError("not a JSON line in " + log + ": " + line);
        }
      }
      return lines;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String message(JsonObject line) {
    return line.getString("formattedMessage", "");
  }
}
