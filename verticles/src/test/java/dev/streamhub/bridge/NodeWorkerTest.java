package dev.streamhub.bridge;

import static dev.streamhub.bridge.BridgeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code workers/node/worker.js}, a real Node.js process, serves model {@code node-echo} through the
 * TCP bridge: its answer arrives token by token with contiguous offsets, a cancel stops it, and the
 * model is unlisted when the process dies. Without {@code node} on the PATH it fails on CI
 * ({@code CI=true}) and is skipped elsewhere, saying how to install it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeWorkerTest {

  private Vertx vertx;
  private Hub hub;
  private HubClient client;
  private Process worker;

  @BeforeEach
  void start(Vertx vertx) throws IOException {
    requireNode();
    this.vertx = vertx;
    BridgeTest.Bridged bridged = BridgeTest.startWithBridge(vertx);
    hub = bridged.hub();
    int bridgePort = bridged.bridgePort();
    client = new HubClient(vertx, hub.port());
    Path script = workerScript();
    File log = Files.createDirectories(Path.of("target")).resolve("node-worker-" + System.nanoTime() + ".log").toFile();
    ProcessBuilder builder = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).redirectOutput(log);
    builder.environment().put("STREAMHUB_BRIDGE_PORT", Integer.toString(bridgePort));
    builder.environment().put("STREAMHUB_BRIDGE_TOKEN", BridgeTest.TOKEN);
    builder.environment().put("WORKER_TOKEN_DELAY_MS", "10");
    worker = builder.start();
    await(TestHubs.eventually(vertx, 20, 500, () -> listed().map(ids -> ids.contains("node-echo"))));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (worker != null) {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (hub != null) {
      await(hub.stop());
    }
  }

  /**
   * On CI ({@code CI=true}, which {@code .ci/run} sets) a missing {@code node} fails the test, so
   * that the README's {@code mvn -B verify} cannot pass there without running it; elsewhere the test
   * is skipped with how to install it.
   */
  static void requireNode() {
    if (nodeOnPath()) {
      return;
    }
    String install = "node is not on the PATH: the Node.js worker test needs Node 18+"
        + " (Debian/Ubuntu: apt-get install nodejs; or https://nodejs.org/en/download)";
    dev.streamhub.RequiredTool.missing(install);
  }

  private static boolean nodeOnPath() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static Path workerScript() {
    for (String candidate : List.of("../workers/node/worker.js", "workers/node/worker.js")) {
      Path path = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.exists(path)) {
        return path;
      }
    }
    throw new AssertionError("workers/node/worker.js not found from " + Path.of("").toAbsolutePath());
  }

  private Future<List<String>> listed() {
    return client.get("/v1/models").map(resp -> resp.bodyAsJsonObject().getJsonArray("data").stream()
        .map(m -> ((JsonObject) m).getString("id")).collect(Collectors.toList()));
  }

  private static JsonObject chat(String text) {
    return new JsonObject().put("model", "node-echo")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private List<JsonObject> events(String stream) {
    await(client.awaitFinished(vertx, stream));
    return SseFrame.events(await(client.readSse("/v1/streams/" + stream + "/events")).frames()).stream()
        .map(f -> new JsonObject(f.data())).collect(Collectors.toList());
  }

  private static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().collect(Collectors.toList());
  }

  @Test
  void streamsTheNodeWorkersTokensExactly() {
    String stream = await(client.createStream(chat("hello from the bridge")));
    List<JsonObject> events = events(stream);

    assertEquals(List.of("delta", "delta", "delta", "delta", "delta", "usage", "done"),
        events.stream().map(e -> e.getString("type")).collect(Collectors.toList()));
    assertEquals(List.of("Echo:", " hello", " from", " the", " bridge"),
        events.subList(0, 5).stream().map(e -> e.getJsonObject("data").getString("text")).collect(Collectors.toList()));
    assertEquals(range(7), events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
    assertEquals(5, events.get(5).getJsonObject("data").getInteger("completion_tokens"));
    assertEquals("stop", events.get(6).getJsonObject("data").getString("finish_reason"));
  }

  @Test
  void cancelStopsTheNodeWorker() {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      words.add("w" + i);
    }
    String stream = await(client.createStream(chat(String.join(" ", words))));
    await(TestHubs.eventually(vertx, 10, 500, () -> client.get("/v1/streams/" + stream).map(r -> r.bodyAsJsonObject().getLong("next_offset") >= 3)));

    JsonObject cancelled = await(client.delete("/v1/streams/" + stream)).bodyAsJsonObject();
    assertEquals("cancelled", cancelled.getString("status"), cancelled.encode());
    long offset = cancelled.getLong("offset");
    List<JsonObject> events = events(stream);

    assertEquals(range((int) offset + 1), events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
    assertTrue(offset < 400, "cancelled at " + offset);
    JsonObject last = events.get(events.size() - 1);
    assertEquals("cancelled", last.getString("type"));
    assertEquals("client", last.getJsonObject("data").getString("reason"));
    assertTrue(events.subList(0, events.size() - 1).stream().allMatch(e -> e.getString("type").equals("delta")));
    // the worker stopped: the stream stays at offset + 1 events
    await(TestHubs.consistently(vertx, 20, 5, () -> hub.log().meta(stream).map(meta -> {
      assertEquals(offset + 1, meta.nextOffset());
      return meta;
    })));
  }

  @Test
  void theModelIsUnlistedWhenTheWorkerDies() throws InterruptedException {
    worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    await(TestHubs.eventually(vertx, 20, 500, () -> listed().map(ids -> !ids.contains("node-echo"))));
    var refused = await(client.postJson("/v1/streams", chat("anyone?")));
    assertEquals(404, refused.statusCode(), refused.bodyAsString());
    assertEquals("model_not_found", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }
}
