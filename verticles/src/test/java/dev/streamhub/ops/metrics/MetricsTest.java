package dev.streamhub.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.HubConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /metrics} after a known workload on one node built as {@code HubMain} builds it (Vert.x
 * meters on): it parses as Prometheus text, and the hub's counters equal what the clients counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {

  static final int STREAMS = 4;
  static final int ANSWER_TOKENS = 20;

  private Vertx vertx;
  /** The clients' own Vertx: their connection pools are not the hub's to count. */
  private Vertx clients;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void countersEqualWhatTheClientsCountedAndTheTextParses() {
    HubConfig config = TestHubs.config(new JsonObject().put("demo_answer_tokens", ANSWER_TOKENS));
    vertx = HazelcastSetup.vertx(config.cluster()).await();
    Hub hub = Hub.start(vertx, config).await();

    clients = Vertx.vertx();
    HubClient readers = new HubClient(clients, hub.port());
    long bytes = 0;
    int events = 0;
    String last = null;
    for (int i = 0; i < STREAMS; i++) {
      String stream = readers.createStream(TestHubs.chat("count me", (long) i)).await();
      last = stream;
      HubClient.SseResponseText sse = readers.readSse("/v1/streams/" + stream + "/events").await();
      assertEquals(200, sse.status());
      bytes += sse.body().getBytes(StandardCharsets.UTF_8).length;
      List<SseFrame> received = SseFrame.events(sse.frames());
      assertEquals("done", received.get(received.size() - 1).event());
      events += received.size();
    }
    assertEquals(STREAMS * (ANSWER_TOKENS + 2), events);
    // one reader resumes the last stream past offset 4 (Last-Event-ID: 4): offsets 5.. again
    HubClient.SseResponseText resumed = readers.readSse("/v1/streams/" + last + "/events",
        MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", "4")).await();
    assertEquals(200, resumed.status());
    List<SseFrame> again = SseFrame.events(resumed.frames());
    assertEquals("5", again.get(0).id());
    bytes += resumed.body().getBytes(StandardCharsets.UTF_8).length;
    events += again.size();
    readers.close().await();

    // the readers' sessions closed: no connection reading streams is open, as /metrics and /v1/cluster both say
    HubClient scraper = new HubClient(clients, hub.port());
    // (the node card is republished every few seconds)
    TestHubs.eventually(clients, 100, 100, () -> scraper.get("/metrics").compose(metrics -> scraper.get("/v1/cluster").map(cluster -> {
      PrometheusText scraped = PrometheusText.parse(metrics.bodyAsString());
      JsonObject card = cluster.bodyAsJsonObject().getJsonArray("members").getJsonObject(0);
      return scraped.value("streamhub_connections_open", "transport", "sse") == 0.0 && card.getLong("connections") == 0;
    }))).await();
    HttpResponse<Buffer> resp = scraper.get("/metrics").await();
    assertEquals(200, resp.statusCode());
    assertTrue(resp.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"), resp.getHeader("Content-Type"));
    PrometheusText m = PrometheusText.parse(resp.bodyAsString());

    assertEquals(STREAMS, m.value("streamhub_generations_started_total"));
    assertEquals(STREAMS, m.value("streamhub_generations_ended_total", "outcome", "done"));
    assertEquals(0.0, m.value("streamhub_generations_ended_total", "outcome", "error"));
    assertEquals(0.0, m.value("streamhub_generations_active"));
    assertEquals("histogram", m.types.get("streamhub_generation_time_to_first_token_seconds"));
    assertEquals(STREAMS, m.value("streamhub_generation_time_to_first_token_seconds_count"));
    assertEquals(STREAMS, m.value("streamhub_generation_tokens_per_second_count"));
    assertEquals(STREAMS, m.value("streamhub_store_operation_seconds_count", "op", "create", "store", "memory"));
    assertTrue(m.value("streamhub_store_operation_seconds_count", "op", "append", "store", "memory") >= 1);
    assertEquals(0.0, m.value("streamhub_store_errors_total", "op", "append", "store", "memory"));
    // by transport, from the sessions' accounting: every SSE byte and event the readers received, one resume
    assertEquals((double) bytes, m.value("streamhub_delivered_bytes_total", "transport", "sse"), "bytes the SSE readers received");
    assertEquals((double) events, m.value("streamhub_events_delivered_total", "transport", "sse"), "events the SSE readers received");
    assertEquals(1.0, m.value("streamhub_resumes_total", "transport", "sse"));
    for (String transport : List.of("openai_sse", "websocket", "long_poll", "completion")) {
      assertEquals(0.0, m.value("streamhub_connections_open", "transport", transport), transport);
      assertEquals(0.0, m.value("streamhub_events_delivered_total", "transport", transport), transport);
      assertEquals(0.0, m.value("streamhub_delivered_bytes_total", "transport", transport), transport);
      assertEquals(0.0, m.value("streamhub_resumes_total", "transport", transport), transport);
    }
    assertEquals(1.0, m.value("streamhub_drain_state", "state", "up"));
    assertEquals(0.0, m.value("streamhub_drain_state", "state", "draining"));
    assertEquals(1.0, m.value("streamhub_cluster_members"));
    // what micrometer gives: JVM, process, Vert.x (HTTP server by route, event bus)
    assertTrue(m.types.containsKey("jvm_memory_used_bytes"), m.types.keySet().toString());
    assertTrue(m.types.containsKey("process_cpu_usage"));
    assertTrue(m.types.keySet().stream().anyMatch(name -> name.startsWith("vertx_http_server_")), m.types.keySet().toString());
    // hub meters: prefix, counters end in _total, no per-stream, per-user or per-IP label
    m.types.forEach((name, type) -> {
      if (name.startsWith("streamhub_") && type.equals("counter")) {
        assertTrue(name.endsWith("_total"), name);
      }
    });
    for (Map.Entry<String, Map<String, String>> series : m.labels.entrySet()) {
      for (Map.Entry<String, String> label : series.getValue().entrySet()) {
        assertFalse(List.of("path", "remote", "address", "stream", "user", "ip").contains(label.getKey()), series.getKey());
        assertFalse(label.getValue().contains("st_") || label.getValue().contains("127.0.0.1"), series.getKey());
      }
    }
  }
}
