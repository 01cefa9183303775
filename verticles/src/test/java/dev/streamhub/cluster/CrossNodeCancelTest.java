package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancel on an edge reaches the generation on the worker node through the node's cancel address
 * (the generation's own cancel consumer is registered on its node only): the stream ends with the
 * worker's {@code cancelled} event and nothing is appended after it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrossNodeCancelTest {

  private static final long TOKEN_MS = 50;

  private final InJvmCluster cluster = new InJvmCluster();

  @AfterEach
  void stopNodes() {
    cluster.close();
  }


  private static JsonObject node(String roles) {
    return InJvmCluster.hubNode(roles)
        .put("demo_tokens_per_second", 1000 / TOKEN_MS)
        .put("demo_answer_tokens", 400);
  }

  @Test
  void aCancelOnTheEdgeStopsTheGenerationOnTheWorkerNode() throws Exception {
    String clusterName = "streamhub-cancel-" + UUID.randomUUID();
    Hub worker = Hub.start(cluster.join(clusterName), TestHubs.config(node("worker"))).await(60, TimeUnit.SECONDS);
    Hub edge = Hub.start(cluster.join(clusterName), TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS);
    HubClient client = new HubClient(edge.vertx(), edge.port());
    String stream = client.createStream(TestHubs.chat("cancel across", 3L)).await(30, TimeUnit.SECONDS);
    TestHubs.eventually(edge.vertx(), TOKEN_MS, 400, () -> edge.log().meta(stream).map(meta -> meta.nextOffset() >= 3))
        .timeout(30, TimeUnit.SECONDS).await();

    HttpResponse<Buffer> cancelled = client.delete("/v1/streams/" + stream).await(30, TimeUnit.SECONDS);
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    JsonObject body = cancelled.bodyAsJsonObject();
    assertEquals("cancelled", body.getString("status"));
    long offset = body.getLong("offset");
    assertTrue(offset >= 3 && offset < 400, "cancelled at " + offset);

    // the worker stopped: for eight token intervals nothing follows the cancelled event
    TestHubs.consistently(worker.vertx(), TOKEN_MS, 8, () -> worker.log().meta(stream).map(meta -> {
      assertEquals(offset + 1, meta.nextOffset());
      return meta;
    })).timeout(30, TimeUnit.SECONDS).await();
    List<Event> events = worker.log().read(stream, offset, 10).await(5, TimeUnit.SECONDS).events();
    assertEquals(1, events.size());
    assertEquals(EventType.CANCELLED, events.get(0).type());
    assertEquals("client", events.get(0).data().getString("reason"));
  }
}
