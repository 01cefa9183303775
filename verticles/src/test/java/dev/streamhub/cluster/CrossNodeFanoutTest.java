package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.broker.EventBatch;
import dev.streamhub.broker.EventBusBroker;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's cross-node fan-out: one stream generated on a worker node, read by 1,000 SSE readers
 * spread over two edge nodes. Every reader gets every offset, and each of the stream's events
 * crosses from the worker to each edge exactly once (the edges' relay counters), not once per
 * reader: the worker sends one relay message per node per burst, whatever the readers.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrossNodeFanoutTest {

  private static final int READERS_PER_EDGE = 500;
  /** Readers per HTTP client (its pool's size): SSE holds its connection. */
  private static final int READERS_PER_CLIENT = 32;
  private static final int TOKENS = 40;

  private final InJvmCluster cluster = new InJvmCluster();

  @AfterEach
  void stopNodes() {
    cluster.close();
  }


  private static JsonObject node(String roles) {
    return InJvmCluster.hubNode(roles)
        // the readers open before the first token, and the stream lasts about 2 s
        .put("demo_ttft_ms", 3000)
        .put("demo_tokens_per_second", 20)
        .put("demo_answer_tokens", TOKENS);
  }

  @Test
  void everyReaderGetsEveryOffsetAndEachEventCrossesToEachNodeOnce() throws Exception {
    String clusterName = "streamhub-fanout-" + UUID.randomUUID();
    Hub worker = Hub.start(cluster.join(clusterName), TestHubs.config(node("worker"))).await(60, TimeUnit.SECONDS);
    List<Hub> edges = List.of(
        Hub.start(cluster.join(clusterName), TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS),
        Hub.start(cluster.join(clusterName), TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS));
    List<EventBusBroker> edgeBrokers = edges.stream().map(e -> (EventBusBroker) e.broker()).collect(Collectors.toList());
    awaitRelayReaches(worker, edgeBrokers);
    List<Long> relayedBefore = edgeBrokers.stream().map(EventBusBroker::eventsReceived).collect(Collectors.toList());
    long sentBefore = ((EventBusBroker) worker.broker()).messagesSent();

    Vertx clients = cluster.plain();
    // every client held until the end: Vert.x 5 shuts down a client the garbage collector finds
    // unreferenced, failing its queued requests with "Pool closed" (vert.x#5839)
    List<HubClient> held = new ArrayList<>();
    HubClient creator = new HubClient(clients, edges.get(0).port());
    held.add(creator);
    String stream = creator.createStream(TestHubs.chat("fan out", 5L)).await(30, TimeUnit.SECONDS);
    List<Future<List<Long>>> reads = new ArrayList<>();
    for (Hub edge : edges) {
      HubClient client = null;
      for (int i = 0; i < READERS_PER_EDGE; i++) {
        if (i % READERS_PER_CLIENT == 0) {
          client = new HubClient(clients, edge.port());
          held.add(client);
        }
        reads.add(client.openSse("/v1/streams/" + stream + "/events?from=0", MultiMap.caseInsensitiveMultiMap())
            .compose(HubClient.LiveSse::ended)
            .map(frames -> SseFrame.offsets(SseFrame.events(frames))));
      }
    }
    Future.all(reads).await(120, TimeUnit.SECONDS);
    held.forEach(HubClient::close);

    List<Event> logged = worker.log().read(stream, 0, 1000).await(10, TimeUnit.SECONDS).events();
    List<Long> offsets = logged.stream().map(Event::offset).collect(Collectors.toList());
    assertEquals(TOKENS + 2, offsets.size(), "deltas, usage and done");
    for (Future<List<Long>> read : reads) {
      assertEquals(offsets, read.result());
    }
    for (int i = 0; i < edgeBrokers.size(); i++) {
      // 500 readers on the node, and still each event crossed to it once
      assertEquals(offsets.size(), edgeBrokers.get(i).eventsReceived() - relayedBefore.get(i), "events relayed to edge " + i);
    }
    long sent = ((EventBusBroker) worker.broker()).messagesSent() - sentBefore;
    assertTrue(sent >= 1 && sent <= offsets.size(), "relay messages the worker sent: " + sent);
  }

  /**
   * The event bus learns of each node's relay consumer eventually: a probe batch from the worker
   * until both edges got one, so the stream under test is relayed from its first event.
   */
  private static void awaitRelayReaches(Hub worker, List<EventBusBroker> edges) {
    long[] offset = {0};
    TestHubs.eventually(worker.vertx(), 50, 600, () -> {
      if (edges.stream().allMatch(b -> b.eventsReceived() > 0)) {
        return Future.succeededFuture(true);
      }
      Event probe = NewEvent.delta("probe").at("st_probe", offset[0]++, 0);
      worker.broker().publish("st_probe", new EventBatch(List.of(probe)));
      return Future.succeededFuture(false);
    }).timeout(60, TimeUnit.SECONDS).await();
  }
}
