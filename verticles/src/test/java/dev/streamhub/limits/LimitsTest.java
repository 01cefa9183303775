package dev.streamhub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.auth.Bystander;
import dev.streamhub.auth.Jwts;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits, protection rules and input bounds against a real hub, one hub per case with the limit
 * under test. Each case asserts the status or close code and the error {@code code}, and that an
 * unrelated stream running alongside ends intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LimitsTest {

  private Vertx vertx;
  private Hub hub;
  private HubClient client;
  private Bystander bystander;
  /**
   * One WebSocket client for the whole test, held in a field: Vert.x 5 shuts down a client the
   * garbage collector finds unreferenced, closing its sockets, even one whose handshake is under way
   * (vert.x#5839: "Connection closed while handshake in process" on CI).
   */
  private WebSocketClient wsClient;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    try {
      if (bystander != null) {
        bystander.assertIntact();
      }
    } finally {
      if (hub != null) {
        await(hub.stop());
      }
      await(vertx.close());
    }
  }

  private void start(JsonObject config) {
    start(config, null);
  }

  /** A hub with {@code config}, and a bystander generation started on it (as {@code token}'s holder, or anonymously). */
  private void start(JsonObject config, String bystanderToken) {
    hub = await(TestHubs.start(vertx, new JsonObject().put("demo_answer_tokens", 100).put("demo_tokens_per_second", 1000).mergeIn(config)));
    client = new HubClient(vertx, hub.port());
    bystander = Bystander.start(client, bystanderToken);
  }

  static <T> T await(Future<T> future) {
    return future.timeout(60, TimeUnit.SECONDS).await();
  }

  static JsonObject expectError(HttpResponse<Buffer> response, int status, String code) {
    String body = response.bodyAsString();
    assertEquals(status, response.statusCode(), body);
    JsonObject error = new JsonObject(body).getJsonObject("error");
    assertEquals(code, error.getString("code"), body);
    return error;
  }

  static void expectRateLimited(HttpResponse<Buffer> response) {
    JsonObject error = expectError(response, 429, "rate_limited");
    assertEquals("rate_limit_exceeded", error.getString("type"), "OpenAI's shape");
    assertTrue(Long.parseLong(response.getHeader("Retry-After")) >= 1, response.getHeader("Retry-After"));
  }

  private HttpResponse<Buffer> get(String path, String... headers) {
    HttpRequest<Buffer> request = client.web().get(client.port(), "127.0.0.1", path);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return await(request.send());
  }

  private List<SseFrame> readAll(String stream, String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    HubClient.SseResponseText text = await(client.readSse("/v1/streams/" + stream + "/events", headers));
    assertEquals(200, text.status(), text.body());
    return text.frames().stream().filter(f -> f.data() != null).toList();
  }

  /**
   * Waits (on a Vert.x timer) for the start of the next fixed window of {@code windowMs}, so that a
   * burst of requests neither straddles two windows nor shares one with the requests before it.
   */
  private void freshWindow(long windowMs) {
    await(TestHubs.delay(vertx, windowMs - System.currentTimeMillis() % windowMs + 20));
  }

  @Test
  void requestRateOverTheLimitPassesExactlyTheBudget() {
    start(new JsonObject().put("limits_request_rate", 5).put("limits_request_key", "header:X-Client").put("limits_request_window_ms", 3000));
    freshWindow(3000);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      HttpResponse<Buffer> response = get("/v1/models", "X-Client", "tenant-1");
      statuses.add(response.statusCode());
      if (response.statusCode() == 429) {
        expectRateLimited(response);
      }
    }
    assertEquals(List.of(200, 200, 200, 200, 200, 429, 429, 429), statuses);
    assertEquals(200, get("/v1/models", "X-Client", "tenant-2").statusCode(), "another key has its own budget");
  }

  @Test
  void aTokenBudgetKeyedByAQueryParameterEndsTheStreamAtTheTokenWhereItRanOut() {
    start(new JsonObject().put("limits_token_rate", 30).put("limits_token_key", "query:tenant"));
    String stream = await(client.web().post(client.port(), "127.0.0.1", "/v1/streams?tenant=acme")
        .sendJsonObject(TestHubs.chat("a long answer", 3L))).bodyAsJsonObject().getString("stream");
    List<SseFrame> frames = readAll(stream, null);
    assertEquals(31, frames.size(), "30 tokens, then the end");
    for (int i = 0; i < 30; i++) {
      assertEquals("delta", frames.get(i).event());
      assertEquals(String.valueOf(i), frames.get(i).id());
    }
    SseFrame end = frames.get(30);
    assertEquals("error", end.event());
    assertEquals("30", end.id());
    assertEquals("token_quota_exceeded", new JsonObject(end.data()).getJsonObject("data").getString("code"), end.data());
    assertEquals(frames, readAll(stream, null), "a resume shows the same end");
    HttpResponse<Buffer> again = await(client.web().post(client.port(), "127.0.0.1", "/v1/streams?tenant=acme")
        .sendJsonObject(TestHubs.chat("more", 3L)));
    expectRateLimited(again);
    HttpResponse<Buffer> other = await(client.web().post(client.port(), "127.0.0.1", "/v1/streams?tenant=other")
        .sendJsonObject(TestHubs.chat("short", 3L).put("max_tokens", 10)));
    assertEquals(201, other.statusCode(), other.bodyAsString());
    List<SseFrame> untouched = readAll(other.bodyAsJsonObject().getString("stream"), null);
    assertEquals("done", untouched.get(untouched.size() - 1).event(), "another tenant's stream is untouched");
  }

  @Test
  void concurrentStreamsPerConsumer() {
    String alice = Jwts.hs256(Jwts.claims("alice", "read create", 300, null));
    String bob = Jwts.hs256(Jwts.claims("bob", "read create", 300, null));
    // 100 tokens at 50 per second: bob's first generation runs 2 s, while his next ones are refused
    start(new JsonObject().put("auth_hs256_secret", Jwts.SECRET).put("limits_concurrent_streams", 1)
        .put("demo_tokens_per_second", 50), alice);
    HttpResponse<Buffer> first = create(bob, new JsonObject().put("max_tokens", 100).put("seed", 1));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    expectRateLimited(create(bob, new JsonObject().put("seed", 2)));
    // the same limit over a WebSocket: an error message, the socket stays open
    List<String> messages = new CopyOnWriteArrayList<>();
    WebSocket ws = await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws?access_token=" + bob).map(socket -> {
      socket.textMessageHandler(messages::add);
      return socket;
    }));
    ws.writeTextMessage(new JsonObject().put("type", "response.create").put("request_id", "r1").put("model", "demo")
        .put("messages", TestHubs.chat("x", 1L).getJsonArray("messages")).encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(!messages.isEmpty())));
    JsonObject refused = new JsonObject(messages.get(0));
    assertEquals("error", refused.getString("type"));
    assertEquals("r1", refused.getString("request_id"));
    assertEquals("rate_limited", refused.getJsonObject("error").getString("code"));
    await(ws.close());
    // and over the Realtime WebSocket: an error event, no generation
    List<String> events = new CopyOnWriteArrayList<>();
    WebSocket realtime = await(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port())
        .setURI("/v1/realtime?model=demo").addHeader("Authorization", "Bearer " + bob)).map(socket -> {
          socket.textMessageHandler(events::add);
          return socket;
        }));
    realtime.writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
        .put("type", "message").put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", "x"))))
        .encode());
    realtime.writeTextMessage(new JsonObject().put("type", "response.create").put("event_id", "e1").encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(events.stream().anyMatch(e -> e.contains("\"error\"")))));
    JsonObject realtimeError = events.stream().map(JsonObject::new).filter(e -> "error".equals(e.getString("type"))).findFirst().orElseThrow();
    assertEquals("rate_limited", realtimeError.getJsonObject("error").getString("code"), events.toString());
    assertTrue(events.stream().noneMatch(e -> e.contains("response.created")), events.toString());
    await(realtime.close());
    readAll(first.bodyAsJsonObject().getString("stream"), bob);
    await(TestHubs.eventually(vertx, 20, 250, () -> client.web().post(client.port(), "127.0.0.1", "/v1/streams")
        .putHeader("Authorization", "Bearer " + bob).sendJsonObject(TestHubs.chat("again", 1L).put("max_tokens", 5))
        .map(r -> r.statusCode() == 201)));
  }

  private HttpResponse<Buffer> create(String token, JsonObject extra) {
    return await(client.web().post(client.port(), "127.0.0.1", "/v1/streams").putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(TestHubs.chat("question", 1L).mergeIn(extra)));
  }

  @Test
  void aThousandConnectionsFromOneIpOverAPerIpLimitOfAHundred() {
    start(new JsonObject().put("limits_connections_per_ip", 100));
    String external = await(client.postJson("/v1/streams", new JsonObject().put("publisher", "external"))).bodyAsJsonObject().getString("stream");
    HttpClient many = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.port()),
        new PoolOptions().setHttp1MaxSize(1000));
    List<Future<Integer>> statuses = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      statuses.add(many.request(HttpMethod.GET, "/v1/streams/" + external + "/events").compose(req -> req.send()).map(resp -> resp.statusCode()));
    }
    await(Future.all(statuses));
    long ok = statuses.stream().filter(s -> s.result() == 200).count();
    long limited = statuses.stream().filter(s -> s.result() == 429).count();
    assertEquals(100, ok, "held streams");
    assertEquals(900, limited, "refused");
    await(many.close());
    await(TestHubs.eventually(vertx, 20, 250, () -> client.get("/v1/models").map(r -> r.statusCode() == 200)));
  }

  @Test
  void aWebSocketOverTheConnectionLimitIsClosed1013() {
    start(new JsonObject().put("limits_connections_per_ip", 2));
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      open.add(await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws")));
    }
    List<String> messages = new CopyOnWriteArrayList<>();
    Promise<Short> closed = Promise.promise();
    // handlers set as the connect completes, on its event loop, before any frame is handled
    await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws").map(third -> {
      third.textMessageHandler(messages::add);
      third.closeHandler(v -> closed.tryComplete(third.closeStatusCode()));
      return third;
    }));
    assertEquals((short) 1013, await(closed.future()));
    assertEquals("rate_limited", new JsonObject(messages.get(0)).getJsonObject("error").getString("code"));
    open.forEach(ws -> await(ws.close()));
    await(TestHubs.eventually(vertx, 20, 250, () -> wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws")
        .compose(ws -> ws.close().map(true)).otherwise(false)));
  }

  private static final JsonObject DENY_TEST_NET = new JsonObject().put("ip_deny", new JsonArray().add("203.0.113.0/24"));

  @Test
  void aSpoofedForwardedForFromAnUntrustedPeerIsIgnored() {
    start(DENY_TEST_NET.copy().put("trusted_proxies", new JsonArray().add("10.0.0.0/8")));
    assertEquals(200, get("/v1/models", "X-Forwarded-For", "203.0.113.9").statusCode(), "the header of an untrusted peer names no client");
    assertEquals(200, get("/v1/models", "Forwarded", "for=203.0.113.9").statusCode());
  }

  @Test
  void aDenyListedIpBehindATrustedProxyIsRefused() {
    start(DENY_TEST_NET.copy().put("trusted_proxies", new JsonArray().add("127.0.0.1/32")));
    expectError(get("/v1/models", "X-Forwarded-For", "203.0.113.9"), 403, "forbidden");
    expectError(get("/v1/models", "X-Forwarded-For", "203.0.113.9, 127.0.0.1"), 403, "forbidden");
    expectError(get("/v1/models", "Forwarded", "for=\"203.0.113.9:4711\""), 403, "forbidden");
    assertEquals(200, get("/v1/models", "X-Forwarded-For", "198.51.100.1").statusCode());
  }

  @Test
  void aSpoofedForwardedForDoesNotEscapeAPerIpRate() {
    start(new JsonObject().put("limits_request_rate", 6).put("limits_request_key", "ip").put("limits_request_window_ms", 3000));
    freshWindow(3000);
    assertEquals(200, get("/v1/models").statusCode());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      statuses.add(get("/v1/models", "X-Forwarded-For", "198.51.100." + i).statusCode());
    }
    // one request of 127.0.0.1's budget of 6 went before: 5 spoofed ones pass, the sixth is refused
    assertEquals(List.of(200, 200, 200, 200, 200, 429), statuses);
    await(TestHubs.eventually(vertx, 100, 100, () -> client.get("/v1/models").map(r -> r.statusCode() == 200)));
  }

  @Test
  void pathAndHeaderRulesFirstMatchWins() {
    start(new JsonObject().put("access_rules", new JsonArray()
        .add(new JsonObject().put("action", "allow").put("header", "User-Agent").put("match", "^trusted-scanner"))
        .add(new JsonObject().put("action", "deny").put("header", "User-Agent").put("match", "(?i)sqlmap|nikto"))
        .add(new JsonObject().put("action", "deny").put("method", "POST").put("path", "/v1/streams/*/events")
            .put("header", "X-Worker-Pool").put("absent", true))));
    expectError(get("/v1/models", "User-Agent", "sqlmap/1.7"), 403, "forbidden");
    assertEquals(200, get("/v1/models", "User-Agent", "trusted-scanner sqlmap").statusCode(), "an earlier allow wins");
    String external = await(client.postJson("/v1/streams", new JsonObject().put("publisher", "external"))).bodyAsJsonObject().getString("stream");
    JsonObject event = new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "x"));
    expectError(await(client.web().post(client.port(), "127.0.0.1", "/v1/streams/" + external + "/events").sendJsonObject(event)), 403, "forbidden");
    assertEquals(200, await(client.web().post(client.port(), "127.0.0.1", "/v1/streams/" + external + "/events")
        .putHeader("X-Worker-Pool", "gpu-1").sendJsonObject(event)).statusCode());
  }

  @Test
  void oversizedBodyHeaderAndFrame() {
    start(new JsonObject().put("http_max_body_bytes", 512).put("http_max_header_bytes", 1024).put("ws_max_message_bytes", 256));
    HttpResponse<Buffer> body = await(client.post("/v1/chat/completions", Buffer.buffer("{\"x\":\"" + "a".repeat(2000) + "\"}")));
    expectError(body, 413, "payload_too_large");
    expectError(get("/v1/models", "X-Padding", "p".repeat(2000)), 431, "headers_too_large");
    WebSocket ws = await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws"));
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    ws.writeTextMessage("{\"type\":\"ping\",\"id\":\"" + "b".repeat(1000) + "\"}");
    assertEquals((short) 1009, await(closed.future()));
  }

  @Test
  void slowHeadersAreCutAtTheHeaderTimeout() throws Exception {
    start(new JsonObject().put("http_header_timeout_ms", 300));
    try (Socket socket = new Socket("127.0.0.1", hub.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long started = System.nanoTime();
      out.write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (int i = 0; i < 3; i++) {
        out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(100); // a slowloris trickle: one header line every 100 ms (the pacing is the attack, not a wait)
      }
      assertEquals(-1, in.read(), "the hub closed the connection");
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertTrue(ms >= 250 && ms < 5000, "closed at the header timeout, after " + ms + " ms");
    }
  }

  @Test
  void slowHeadersOfTheNextKeptAliveRequestAreCutAtTheHeaderTimeout() throws Exception {
    // 2 s: long enough that a loaded machine's first request (the bystander's) is routed in time
    start(new JsonObject().put("http_header_timeout_ms", 2000));
    try (Socket socket = new Socket("127.0.0.1", hub.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // requests in quick succession on one connection, each well inside the timeout, for longer than it:
      // every one is answered (the clock restarts from each response's end, not from the connection's start)
      long firstSent = System.nanoTime();
      long lastAnswered = firstSent;
      for (int i = 0; i < 8; i++) {
        Thread.sleep(350); // the pause between keep-alive requests (pacing, not a wait for the hub)
        out.write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertTrue(readResponseHead(in).startsWith("HTTP/1.1 200"), "request " + i + " answered");
        lastAnswered = System.nanoTime();
      }
      assertTrue((System.nanoTime() - firstSent) / 1_000_000 > 2000, "the requests went on past one timeout");
      // then the next request's headers trickle in: cut at the timeout, counted from the last response's end
      out.write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (int i = 0; i < 2; i++) {
        Thread.sleep(100); // a slowloris trickle: one header line every 100 ms (the pacing is the attack, not a wait)
        out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      assertEquals(-1, in.read(), "the hub closed the connection");
      long ms = (System.nanoTime() - lastAnswered) / 1_000_000;
      assertTrue(ms >= 1900 && ms < 8000, "closed at the header timeout after the last response, after " + ms + " ms");
    }
  }

  /** Reads one response's head and its Content-Length body from {@code in}; returns the head. */
  private static String readResponseHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("connection closed in a response head: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertTrue(length.find(), "a Content-Length in " + head);
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }
}
