package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.TestHubs;
import dev.streamhub.broker.LocalBroker;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.cluster.NodeProcess;
import dev.streamhub.config.HubConfig;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.limits.Quota;
import dev.streamhub.limits.hazelcast.HazelcastLimiter;
import dev.streamhub.ops.Drain;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamLogs;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A generation whose worker cannot start it (its backend throws after the worker's node took the
 * concurrent-stream slot over from the edge) gives its slot back exactly once, from the holder that
 * has it: the consumer's other slot, held by the edge, stays held. On the memory limiter (one node)
 * and on the Hazelcast limiter with the edge and the worker on two members, where the slot moved.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FailedStartSlotTest {

  private static final String CONSUMER = "sub:alice";
  /** {@code NodeLimits.slotKey(CONSUMER)}: how the limiter names the consumer's slots. */
  private static final String SLOT_KEY = "streams|" + CONSUMER;
  private static final String BROKEN = "broken";

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(node -> NodeLimits.of(node).close(node));
    nodes.forEach(node -> await(node.close()));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(60, TimeUnit.SECONDS).await();
  }

  private static HubConfig config(String store) {
    JsonObject cluster = store.equals("hazelcast") // read by HubMain only; these nodes are clustered by the test
        ? new JsonObject().put("cluster_config", NodeProcess.LOOPBACK_CONFIG.toString())
        : new JsonObject();
    return TestHubs.config(cluster
        .put("log_store", store)
        .put("limits_store", store)
        .put("limits_concurrent_streams", 3));
  }

  /** A worker whose backend serves {@link #BROKEN} and throws when asked to generate. */
  private static Future<String> deployBrokenWorker(Vertx node, HubConfig config, StreamWriter writer) {
    ModelBackend broken = new ModelBackend() {
      @Override
      public List<JsonObject> models() {
        return List.of(new JsonObject().put("id", BROKEN).put("object", "model"));
      }

      @Override
      public Runnable generate(GenerateRequest request, TokenSink out) {
        throw new IllegalStateException("backend down");
      }
    };
    return node.deployVerticle(new WorkerVerticle(v -> broken, writer, config.worker(), new Drain()));
  }

  /** A node's stream log and the writer over it. */
  private record Store(StreamLog log, StreamWriter writer) {
    static Store of(Vertx node, HubConfig config) {
      StreamLog log = await(StreamLogs.create(node, config.log()));
      return new Store(log, new StreamWriter(log, new LocalBroker(node)));
    }
  }

  /** Starts a generation of the broken model for the consumer on {@code edge}: refused, no worker could start it. */
  private static void startFails(Vertx edge, HubConfig config, Store store) {
    GenerateRequest request = new GenerateRequest(null, BROKEN, CONSUMER,
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")), 16, 1L, false, false, null,
        new Quota(null, CONSUMER));
    Generations generations = new Generations(edge, store.log(), store.writer(), config.worker());
    Throwable refused = await(TestHubs.onContext(edge, () -> generations.start(request).transform(ar -> ar.succeeded()
        ? Future.failedFuture("the generation started")
        : Future.succeededFuture(ar.cause()))));
    assertEquals(ErrorCode.NO_WORKER_AVAILABLE, HubException.of(refused).code(), refused.getMessage());
  }

  @Test
  void onTheMemoryLimiterTheSlotGoesBackOnce() {
    Vertx node = Vertx.vertx();
    nodes.add(node);
    HubConfig config = config("memory");
    NodeLimits limits = NodeLimits.install(node, config.limits(), config.log());
    Store store = Store.of(node, config);
    await(deployBrokenWorker(node, config, store.writer()));
    assertTrue(await(limits.limiter().acquire(SLOT_KEY, 3)), "the consumer's other generation");

    startFails(node, config, store);

    await(TestHubs.eventually(node, 20, 250, () -> limits.limiter().held(SLOT_KEY).map(held -> held == 1)));
    assertEquals(1L, await(limits.limiter().held(SLOT_KEY)), "only the failed generation's slot went back");
  }

  @Test
  void onHazelcastTheSlotGoesBackFromTheWorkersMemberThatTookItOver() {
    String cluster = "streamhub-failed-start-" + UUID.randomUUID();
    HubConfig config = config("hazelcast");
    for (int i = 0; i < 2; i++) {
      nodes.add(await(Vertx.builder().withClusterManager(new HazelcastClusterManager(EmbeddedHazelcast.config(cluster))).buildClustered()));
    }
    Vertx edge = nodes.get(0);
    Vertx worker = nodes.get(1);
    NodeLimits edgeLimits = NodeLimits.install(edge, config.limits(), config.log());
    NodeLimits workerLimits = NodeLimits.install(worker, config.limits(), config.log());
    Store edgeStore = Store.of(edge, config);
    await(deployBrokenWorker(worker, config, Store.of(worker, config).writer()));
    String edgeHolder = edgeLimits.limiter().holder();
    String workerHolder = workerLimits.limiter().holder();
    assertTrue(await(edgeLimits.limiter().acquire(SLOT_KEY, 3)), "the consumer's other generation, admitted by the edge");

    startFails(edge, config, edgeStore);

    HazelcastInstance hazelcast = HazelcastSetup.hazelcast(edge).orElseThrow();
    Map<String, Long> expected = Map.of(edgeHolder, 1L);
    await(TestHubs.eventually(edge, 20, 250, () -> holders(hazelcast).map(expected::equals)));
    assertEquals(expected, await(holders(hazelcast)), "the edge keeps the other generation's slot; the worker's member ("
        + workerHolder + ") holds none");
  }

  /** The consumer's slots per holder ({@code {memberUuid: count}}), read without blocking. */
  private static Future<Map<String, Long>> holders(HazelcastInstance hazelcast) {
    return Future.fromCompletionStage(hazelcast.<String, HashMap<String, Long>>getMap(HazelcastLimiter.SLOTS).getAsync(SLOT_KEY))
        .map(held -> held == null ? Map.of() : held);
  }
}
