package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.broker.Broker;
import dev.streamhub.broker.EventBatch;
import dev.streamhub.broker.EventBusBroker;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.cluster.NodeProcess;
import dev.streamhub.config.ConfigKey;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The early checks of a new reader ({@link EarlyCheck}) with the default heartbeats
 * ({@code sse_heartbeat_ms} 15 s, {@code ws_ping_interval_ms} 20 s): two clustered nodes in this
 * JVM, the edge's live registrations reach the event bus only after a minute (a node the bus does
 * not know yet). Readers on every transport and a whole {@code stream:false} completion must finish
 * with exactly the log within a few seconds of the generation's end, long before the first
 * heartbeat re-read could have run (which is what they waited for before the early checks).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EarlyCheckTest {

  private static final int TOKENS = 20;
  /** 20 tokens at 20 tokens/s, after the demo's time to first token: about a second. */
  private static final long GENERATION_MS = 1200;
  /** The generation, then up to two early checks and a loaded machine's slack: far below the 15 s heartbeat. */
  private static final long BOUND_MS = GENERATION_MS + 2 * EarlyCheck.INTERVAL_MS + 2500;

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Registrations complete at once but join the event bus only after a minute: the live path misses the edge. */
  private static final class LateBroker implements Broker {
    private final Vertx vertx;
    private final EventBusBroker real;

    LateBroker(Vertx vertx) {
      this.vertx = vertx;
      this.real = new EventBusBroker(vertx);
    }

    @Override
    public void publish(String stream, EventBatch batch) {
      real.publish(stream, batch);
    }

    @Override
    public Registration subscribe(String stream, Handler<EventBatch> handler) {
      Registration[] registered = new Registration[1];
      long timer = vertx.setTimer(60_000, id -> registered[0] = real.subscribe(stream, handler));
      return new Registration() {
        @Override
        public Future<Void> completion() {
          return Future.succeededFuture();
        }

        @Override
        public Future<Void> unregister() {
          vertx.cancelTimer(timer);
          return registered[0] == null ? Future.succeededFuture() : registered[0].unregister();
        }
      };
    }
  }

  private Vertx clustered(String clusterName) throws Exception {
    Vertx vertx = Vertx.builder()
        .withClusterManager(new HazelcastClusterManager(EmbeddedHazelcast.config(clusterName)))
        .buildClustered()
        .await(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    return vertx;
  }

  private static JsonObject node(String roles) {
    return new JsonObject()
        .put("cluster_config", NodeProcess.LOOPBACK_CONFIG.toString())
        .put("roles", roles)
        .put("log_store", "hazelcast")
        .put("demo_tokens_per_second", TOKENS)
        .put("demo_answer_tokens", TOKENS);
  }

  @Test
  void newReadersCatchUpFromTheLogWithinSecondsNotAHeartbeat() throws Exception {
    String clusterName = "streamhub-early-" + UUID.randomUUID();
    Vertx workerNode = clustered(clusterName);
    Vertx edgeNode = clustered(clusterName);
    Hub worker = Hub.start(workerNode, TestHubs.config(node("worker"))).await(60, TimeUnit.SECONDS);
    Hub edge = Hub.start(edgeNode, TestHubs.config(node("edge")), new LateBroker(edgeNode)).await(60, TimeUnit.SECONDS);
    assertEquals(15_000L, ConfigKey.SSE_HEARTBEAT_MS.defaultValue(), "the default heartbeat");
    HubClient client = new HubClient(edgeNode, edge.port());

    String stream = client.createStream(TestHubs.chat("early", 21L)).await(30, TimeUnit.SECONDS);
    long start = System.nanoTime();
    List<Future<Long>> finished = new ArrayList<>();
    List<Future<List<JsonObject>>> reads = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      Future<List<JsonObject>> read = transport.reader(edgeNode, edge.port()).readAll(stream, 0);
      reads.add(read);
      finished.add(read.map(events -> elapsedMs(start)));
    }
    Future<JsonObject> completion = client.postJson("/v1/chat/completions", TestHubs.chat("early too", 22L).put("stream", false))
        .map(resp -> {
          assertEquals(200, resp.statusCode(), resp.bodyAsString());
          return resp.bodyAsJsonObject().put("x_stream_id", resp.getHeader("X-Stream-Id"));
        });
    finished.add(completion.map(body -> elapsedMs(start)));
    Future.all(finished).await(30, TimeUnit.SECONDS);

    List<JsonObject> logged = edge.log().read(stream, 0, 1000).await(10, TimeUnit.SECONDS).events().stream()
        .map(Event::toJson).collect(Collectors.toList());
    assertEquals(EventType.DONE.wire(), logged.get(logged.size() - 1).getString("type"));
    for (int i = 0; i < reads.size(); i++) {
      assertEquals(encode(logged), encode(reads.get(i).result()), Transport.values()[i] + " events");
    }
    JsonObject whole = completion.result();
    String text = edge.log().read(whole.getString("x_stream_id"), 0, 1000).await(10, TimeUnit.SECONDS).events().stream()
        .filter(e -> e.type() == EventType.DELTA).map(e -> e.data().getString("text", "")).collect(Collectors.joining());
    assertEquals(text, whole.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    for (int i = 0; i < finished.size(); i++) {
      String what = i < reads.size() ? Transport.values()[i].toString() : "completion";
      assertTrue(finished.get(i).result() < BOUND_MS, what + " finished after " + finished.get(i).result() + " ms, bound " + BOUND_MS + " ms");
    }
    worker.stop().await(30, TimeUnit.SECONDS);
    edge.stop().await(30, TimeUnit.SECONDS);
  }

  private static List<String> encode(List<JsonObject> events) {
    return events.stream().map(JsonObject::encode).collect(Collectors.toList());
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
