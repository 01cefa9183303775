package dev.streamhub.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.HubVertx;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
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
import java.util.stream.Collectors;
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
    vertx = HubVertx.build(config.cluster()).await();
    Hub hub = Hub.start(vertx, config).await();

    clients = Vertx.vertx();
    HubClient readers = new HubClient(clients, hub.port());
    long bytes = 0;
    int events = 0;
    String last = null;
    for (int i = 0; i < STREAMS; i++) {
      String stream = readers.createStream(TestHubs.chat("count me", (long) i)).await();
      last = stream;
      // the stream has ended before it is read: every event the reader gets is replayed from the log
      readers.awaitFinished(clients, stream).await();
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
    assertEquals((double) events, m.value("streamhub_replayed_events_total", "transport", "sse"), "all read from the log");
    assertEquals(List.of("# HELP streamhub_replayed_events_total Stream events read from the log for readers rather than taken live "
            + "(catch-ups, resumes, slow readers catching up), by transport",
        "# TYPE streamhub_replayed_events_total counter",
        "streamhub_replayed_events_total{transport=\"completion\"} 0.0",
        "streamhub_replayed_events_total{transport=\"long_poll\"} 0.0",
        "streamhub_replayed_events_total{transport=\"openai_sse\"} 0.0",
        "streamhub_replayed_events_total{transport=\"sse\"} " + events + ".0",
        "streamhub_replayed_events_total{transport=\"websocket\"} 0.0"), family(resp.bodyAsString(), "streamhub_replayed_events_total"));
    for (String reason : List.of("requests", "token_budget", "concurrent_streams", "connections")) {
      assertEquals(0.0, m.value("streamhub_rate_limit_rejections_total", "reason", reason), reason);
    }
    for (String transport : List.of("openai_sse", "websocket", "long_poll", "completion")) {
      assertEquals(0.0, m.value("streamhub_replayed_events_total", "transport", transport), transport);
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

  @Test
  void vertxHttpServerAndEventBusMetersCountEveryRequestByMethodRouteAndCode() {
    HubConfig config = TestHubs.config(new JsonObject());
    vertx = HubVertx.build(config.cluster()).await();
    Hub hub = Hub.start(vertx, config).await();
    clients = Vertx.vertx();
    HubClient client = new HubClient(clients, hub.port());
    String stream = client.createExternalStream().await();
    String other = client.createExternalStream().await();
    for (int i = 0; i < 5; i++) {
      client.publish(stream, new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "t" + i))).await();
    }
    client.publish(other, new JsonObject().put("type", "done")).await();
    assertEquals(404, client.get("/v1/nothing-here").await().statusCode());
    assertEquals(400, client.post("/v1/streams/" + stream + "/events", Buffer.buffer("{\"type\":\"nope\"}")).await().statusCode());

    String scrape = client.get("/metrics").await().bodyAsString();
    PrometheusText m = PrometheusText.parse(scrape);
    // Vert.x's route label joins every route pattern the request matched with '>': the JSON check, the body handler, the endpoint
    String events = String.join(">", List.of("/v1/streams/:id/events", "/v1/streams/:id/events", "/v1/streams/:id/events"));
    assertEquals(6.0, m.value("vertx_http_server_requests_total", "code", "200", "method", "POST", "route", events),
        () -> String.join("\n", family(scrape, "vertx_http_server_requests_total")));
    assertEquals(1.0, m.value("vertx_http_server_requests_total", "code", "400", "method", "POST", "route", events));
    assertEquals(2.0, m.value("vertx_http_server_requests_total", "code", "201", "method", "POST", "route", "/v1/streams>/v1/streams>/v1/streams"));
    assertEquals(1.0, m.value("vertx_http_server_requests_total", "code", "404", "method", "GET", "route", ""));
    assertEquals(6.0, m.value("vertx_http_server_response_time_seconds_count", "code", "200", "method", "POST", "route", events));
    assertEquals(6.0, m.value("vertx_http_server_response_bytes_count", "code", "200", "method", "POST", "route", events));
    assertEquals(9.0, m.value("vertx_http_server_request_bytes_count", "method", "POST"));
    assertEquals(0.0, m.value("vertx_http_server_active_requests", "method", "POST"));
    assertEquals(1.0, m.value("vertx_http_server_active_requests", "method", "GET"), "the scrape itself");
    assertEquals("counter", m.types.get("vertx_http_server_requests_total"));
    assertEquals("summary", m.types.get("vertx_http_server_response_time_seconds"));
    assertEquals("gauge", m.types.get("vertx_http_server_active_requests"));
    // every appended batch is also published on its stream's address (for in-JVM consumers; none here)
    assertTrue(m.value("vertx_eventbus_published_total", "side", "local") >= 6.0, m.labels.toString());
    assertTrue(m.value("vertx_eventbus_received_total", "side", "local") >= 6.0);
  }

  /** The lines of {@code family} in a scrape: its HELP, its TYPE and its samples, as the node wrote them. */
  private static List<String> family(String scrape, String family) {
    return scrape.lines().filter(line -> line.startsWith(family + "{") || line.startsWith(family + " ")
        || line.startsWith("# HELP " + family + " ") || line.startsWith("# TYPE " + family + " ")).collect(Collectors.toList());
  }

  private static final String REJECTIONS_HELP = "# HELP streamhub_rate_limit_rejections_total Requests and connections the rate limits "
      + "refused (429 rate_limited, WebSocket 1013), by reason";

  private static List<String> rejections(int concurrentStreams, int connections, int requests, int tokenBudget) {
    return List.of(REJECTIONS_HELP, "# TYPE streamhub_rate_limit_rejections_total counter",
        "streamhub_rate_limit_rejections_total{reason=\"concurrent_streams\"} " + concurrentStreams + ".0",
        "streamhub_rate_limit_rejections_total{reason=\"connections\"} " + connections + ".0",
        "streamhub_rate_limit_rejections_total{reason=\"requests\"} " + requests + ".0",
        "streamhub_rate_limit_rejections_total{reason=\"token_budget\"} " + tokenBudget + ".0");
  }

  private Hub limitedHub(JsonObject limits) {
    vertx = Vertx.vertx();
    clients = Vertx.vertx();
    return TestHubs.start(vertx, limits).await();
  }

  @Test
  void requestRateRejectionsAreCountedOncePerRefusal() {
    long window = 60_000;
    Hub hub = limitedHub(new JsonObject().put("limits_request_rate", 5).put("limits_request_key", "header:X-Client")
        .put("limits_request_window_ms", window));
    HubClient client = new HubClient(clients, hub.port());
    // the seven requests share one epoch-aligned window: wait out its last 5 s
    long left = window - System.currentTimeMillis() % window;
    if (left < 5_000) {
      TestHubs.delay(clients, left + 20).await();
    }
    List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      statuses.add(client.web().get(client.port(), "127.0.0.1", "/v1/models").putHeader("X-Client", "tenant-1").send().await().statusCode());
    }
    assertEquals(List.of(200, 200, 200, 200, 200, 429, 429), statuses);
    String scrape = client.get("/metrics").await().bodyAsString();
    assertEquals(rejections(0, 0, 2, 0), family(scrape, "streamhub_rate_limit_rejections_total"));
  }

  @Test
  void concurrentStreamAndConnectionRejectionsAreCountedByReason() {
    // 200 tokens at 40 per second: the first generation runs 5 s, while the second is refused
    Hub hub = limitedHub(new JsonObject().put("limits_concurrent_streams", 1).put("limits_connections_per_ip", 1)
        .put("demo_tokens_per_second", 40).put("demo_answer_tokens", 200));
    HubClient client = new HubClient(clients, hub.port());
    String stream = client.createStream(TestHubs.chat("hold a slot", 1L)).await();
    assertEquals(429, client.postJson("/v1/streams", TestHubs.chat("one too many", 2L)).await().statusCode());
    HubClient.LiveSse reader = client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()).await();
    assertEquals(200, reader.status());
    assertEquals(429, client.readSse("/v1/streams/" + stream + "/events").await().status(), "a second reading connection from the IP");
    reader.disconnect().await();
    String scrape = client.get("/metrics").await().bodyAsString();
    assertEquals(rejections(1, 1, 0, 0), family(scrape, "streamhub_rate_limit_rejections_total"));
  }

  @Test
  void aSpentTokenBudgetIsCountedAsTokenBudget() {
    Hub hub = limitedHub(new JsonObject().put("limits_token_rate", 30).put("limits_token_key", "query:tenant"));
    HubClient client = new HubClient(clients, hub.port());
    String stream = client.post("/v1/streams?tenant=acme", TestHubs.chat("a long answer", 3L).toBuffer()).await()
        .bodyAsJsonObject().getString("stream");
    client.awaitFinished(clients, stream).await();
    assertEquals(429, client.post("/v1/streams?tenant=acme", TestHubs.chat("more", 3L).toBuffer()).await().statusCode());
    String scrape = client.get("/metrics").await().bodyAsString();
    assertEquals(rejections(0, 0, 0, 1), family(scrape, "streamhub_rate_limit_rejections_total"));
  }

  @Test
  void replayedEventsAreThoseReadFromTheLogNotLive() {
    // 40 tokens at 10 per second: a reader that joins at offset 0 after 5 tokens gets those from the log, the rest live
    Hub hub = limitedHub(new JsonObject().put("demo_tokens_per_second", 10).put("demo_answer_tokens", 40));
    HubClient client = new HubClient(clients, hub.port());
    String stream = client.createStream(TestHubs.chat("half and half", 1L)).await();
    TestHubs.eventually(clients, 100, 50, () -> client.get("/v1/streams/" + stream).map(r -> r.bodyAsJsonObject().getLong("next_offset") >= 5))
        .await();
    HubClient.SseResponseText read = client.readSse("/v1/streams/" + stream + "/events").await();
    List<SseFrame> events = SseFrame.events(read.frames());
    assertEquals(42, events.size(), "40 deltas, usage, done");
    PrometheusText m = PrometheusText.parse(client.get("/metrics").await().bodyAsString());
    double replayed = m.value("streamhub_replayed_events_total", "transport", "sse");
    assertTrue(replayed >= 5 && replayed < 42, "from the log: the 5+ events there when the reader joined, not the live rest; was " + replayed);
    assertEquals(42.0, m.value("streamhub_events_delivered_total", "transport", "sse"));
  }
}
