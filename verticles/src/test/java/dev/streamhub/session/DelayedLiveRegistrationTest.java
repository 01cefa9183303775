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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two clustered nodes in this JVM: a worker, and an edge whose live registrations the event bus
 * never learns of during the test (its broker reports them registered at once and registers them
 * a minute later): every batch the worker publishes misses the edge. Readers on every transport,
 * and a whole {@code stream:false} completion, must still finish with exactly the log, within a
 * bound, from the session's heartbeat safety net alone (the completion once waited for ever).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DelayedLiveRegistrationTest {

  /** 20 tokens at 20 tokens/s: the generation takes about a second. */
  private static final int TOKENS = 20;
  private static final long GENERATION_MS = 1000;
  /** The heartbeat (and so the safety net) interval of the edge's sessions. */
  private static final long HEARTBEAT_MS = 200;
  /**
   * Every reader finishes within this of starting: the generation, then a few heartbeats. A reader
   * that waited for the live path would not finish at all; a long-poll held to its 5 s timeout,
   * not within this either.
   */
  private static final long BOUND_MS = GENERATION_MS + 3000;

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** A broker whose registrations complete at once but join the event bus only after a minute. */
  private static final class LateBroker implements Broker {
    private final Vertx vertx;
    private final EventBusBroker real;
    final AtomicInteger delivered = new AtomicInteger();

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
      long timer = vertx.setTimer(60_000, id -> registered[0] = real.subscribe(stream, batch -> {
        delivered.incrementAndGet();
        handler.handle(batch);
      }));
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
        .put("demo_answer_tokens", TOKENS)
        .put("sse_heartbeat_ms", HEARTBEAT_MS)
        .put("ws_ping_interval_ms", HEARTBEAT_MS);
  }

  @Test
  void everyTransportAndAWholeCompletionFinishWithTheExactLogWithoutTheLivePath() throws Exception {
    String clusterName = "streamhub-late-" + UUID.randomUUID();
    Vertx workerNode = clustered(clusterName);
    Vertx edgeNode = clustered(clusterName);
    Hub worker = Hub.start(workerNode, TestHubs.config(node("worker"))).await(60, TimeUnit.SECONDS);
    LateBroker late = new LateBroker(edgeNode);
    Hub edge = Hub.start(edgeNode, TestHubs.config(node("edge")), late).await(60, TimeUnit.SECONDS);
    HubClient client = new HubClient(edgeNode, edge.port());

    String stream = client.createStream(TestHubs.chat("late", 11L)).await(30, TimeUnit.SECONDS);
    long start = System.nanoTime();
    List<Future<Long>> finished = new ArrayList<>();
    List<Future<List<JsonObject>>> reads = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      Future<List<JsonObject>> read = transport.reader(edgeNode, edge.port()).readAll(stream, 0);
      reads.add(read);
      finished.add(read.map(events -> elapsedMs(start)));
    }
    Future<JsonObject> completion = client.postJson("/v1/chat/completions", TestHubs.chat("late too", 12L).put("stream", false))
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
      assertEquals(offsets(logged), offsets(reads.get(i).result()), Transport.values()[i] + " offsets");
      assertEquals(encode(logged), encode(reads.get(i).result()), Transport.values()[i] + " events");
    }
    JsonObject whole = completion.result();
    List<Event> completionLog = edge.log().read(whole.getString("x_stream_id"), 0, 1000).await(10, TimeUnit.SECONDS).events();
    String text = completionLog.stream().filter(e -> e.type() == EventType.DELTA)
        .map(e -> e.data().getString("text", "")).collect(Collectors.joining());
    assertEquals(text, whole.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    for (Future<Long> done : finished) {
      assertTrue(done.result() < BOUND_MS, "finished after " + done.result() + " ms, bound " + BOUND_MS + " ms");
    }
    // the live path really was missing: not one batch reached the edge's readers live
    assertEquals(0, late.delivered.get());
    worker.stop().await(30, TimeUnit.SECONDS);
    edge.stop().await(30, TimeUnit.SECONDS);
  }

  private static List<Long> offsets(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
  }

  private static List<String> encode(List<JsonObject> events) {
    return events.stream().map(JsonObject::encode).collect(Collectors.toList());
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
