package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.broker.Broker;
import dev.streamhub.broker.EventBatch;
import dev.streamhub.broker.EventBusBroker;
import dev.streamhub.cluster.InJvmCluster;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Two clustered nodes in this JVM (a random cluster name, Hazelcast log store, the demo model at
 * {@link #TOKENS} tokens/s for {@link #TOKENS} tokens): a worker, and an edge whose live
 * registrations the event bus learns of only after a minute ({@link LateBroker}), so every batch the
 * worker publishes misses the edge. {@link #readEverywhere} is what a test of the edge's safety nets
 * asserts: readers on every transport and a whole {@code stream:false} completion end with exactly
 * the log.
 */
final class LateLiveEdge implements AutoCloseable {

  static final int TOKENS = 20;

  private final InJvmCluster nodes = new InJvmCluster();
  private Hub worker;
  private Hub edge;
  private Vertx edgeNode;
  private LateBroker broker;

  private LateLiveEdge() {}

  /** Starts the worker and the edge, each configured with {@code overrides} on top of the defaults above. */
  static LateLiveEdge start(JsonObject overrides) throws Exception {
    LateLiveEdge cluster = new LateLiveEdge();
    try {
      String clusterName = "streamhub-late-" + UUID.randomUUID();
      Vertx workerNode = cluster.nodes.join(clusterName);
      cluster.edgeNode = cluster.nodes.join(clusterName);
      cluster.worker = Hub.start(workerNode, TestHubs.config(node("worker", overrides))).await(60, TimeUnit.SECONDS);
      cluster.broker = new LateBroker(cluster.edgeNode);
      cluster.edge = Hub.start(cluster.edgeNode, TestHubs.config(node("edge", overrides)), cluster.broker).await(60, TimeUnit.SECONDS);
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  /** How many batches reached the edge's readers live (after the minute): 0 within a test. */
  int deliveredLive() {
    return broker.delivered.get();
  }

  /**
   * Starts a stream ({@code question}, {@code seed}), reads it from offset 0 on every transport and
   * asks for a whole {@code stream:false} completion ({@code seed + 1}); waits (at most 30 s) for
   * all of them and asserts each reader got exactly the logged events (offsets, then every field),
   * ending with {@code done}, and the completion's content is its log's delta text. Returns how long
   * each took from the start, in ms, by transport name and {@code "completion"}, in that order.
   */
  Map<String, Long> readEverywhere(String question, long seed) throws Exception {
    HubClient client = new HubClient(edgeNode, edge.port());
    String stream = client.createStream(TestHubs.chat(question, seed)).await(30, TimeUnit.SECONDS);
    long start = System.nanoTime();
    List<Future<Long>> finished = new ArrayList<>();
    List<Future<List<JsonObject>>> reads = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      Future<List<JsonObject>> read = transport.reader(edgeNode, edge.port()).readAll(stream, 0);
      reads.add(read);
      finished.add(read.map(events -> elapsedMs(start)));
    }
    Future<JsonObject> completion = client.postJson("/v1/chat/completions", TestHubs.chat(question + " too", seed + 1).put("stream", false))
        .map(resp -> {
          assertEquals(200, resp.statusCode(), resp.bodyAsString());
          return resp.bodyAsJsonObject().put("x_stream_id", resp.getHeader("X-Stream-Id"));
        });
    finished.add(completion.map(body -> elapsedMs(start)));
    Future.all(finished).await(30, TimeUnit.SECONDS);

    List<JsonObject> logged = edge.log().read(stream, 0, 1000).await(10, TimeUnit.SECONDS).events().stream()
        .map(Event::toJson).collect(Collectors.toList());
    assertEquals(EventType.DONE.wire(), logged.get(logged.size() - 1).getString("type"));
    Map<String, Long> took = new LinkedHashMap<>();
    for (int i = 0; i < reads.size(); i++) {
      Transport transport = Transport.values()[i];
      assertEquals(offsets(logged), offsets(reads.get(i).result()), transport + " offsets");
      assertEquals(encode(logged), encode(reads.get(i).result()), transport + " events");
      took.put(transport.toString(), finished.get(i).result());
    }
    JsonObject whole = completion.result();
    String text = edge.log().read(whole.getString("x_stream_id"), 0, 1000).await(10, TimeUnit.SECONDS).events().stream()
        .filter(e -> e.type() == EventType.DELTA).map(e -> e.data().getString("text", "")).collect(Collectors.joining());
    assertEquals(text, whole.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    took.put("completion", finished.get(reads.size()).result());
    return took;
  }

  /** Stops both hubs, then closes both nodes. */
  @Override
  public void close() throws Exception {
    for (Hub hub : new Hub[] {edge, worker}) {
      if (hub != null) {
        hub.stop().await(30, TimeUnit.SECONDS);
      }
    }
    nodes.close();
  }


  private static JsonObject node(String roles, JsonObject overrides) {
    return InJvmCluster.hubNode(roles)
        .put("demo_tokens_per_second", TOKENS)
        .put("demo_answer_tokens", TOKENS)
        .mergeIn(overrides);
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

  /** A broker whose registrations complete at once but join the event bus only after a minute; counts what it delivers. */
  static final class LateBroker implements Broker {
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
}
