package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.StreamIds;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** 415 for a body that is not JSON, HEAD wherever GET, Allow on every 405 (RFC 9110). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpSemanticsTest {

  private Hub hub;
  private HubClient client;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx));
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.web().request(method, hub.port(), "127.0.0.1", path);
  }

  @Test
  void everyJsonEndpointRefusesABodyThatIsNotJson() {
    String external = await(client.createStream(new JsonObject().put("publisher", "external")));
    String chat = TestHubs.chat("not json", 1L).put("max_tokens", 3).encode();
    Map<String, String> bodies = Map.of(
        "/v1/chat/completions", chat,
        "/v1/streams", chat,
        "/v1/streams/" + external + "/events", "{\"type\":\"delta\",\"text\":\"x\"}");
    List<String> notJson = List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonp", "json");
    for (var body : bodies.entrySet()) {
      for (String type : notJson) {
        HttpResponse<Buffer> answer = await(request(HttpMethod.POST, body.getKey()).putHeader("Content-Type", type)
            .sendBuffer(Buffer.buffer(body.getValue())));
        JsonObject error = error(answer, 415, "unsupported_media_type");
        assertEquals("POST " + body.getKey() + " takes a JSON body with Content-Type: application/json, got '" + type + "'",
            error.getString("message"));
      }
      JsonObject none = error(await(request(HttpMethod.POST, body.getKey()).sendBuffer(Buffer.buffer(body.getValue()))),
          415, "unsupported_media_type");
      assertTrue(none.getString("message").endsWith("got no Content-Type"), none.getString("message"));
    }
    // nothing was published or started by the refused requests
    assertEquals(0L, await(client.get("/v1/streams/" + external)).bodyAsJsonObject().getLong("next_offset"));
    for (String type : List.of("application/json", "application/json; charset=utf-8", "Application/JSON")) {
      assertEquals(201, await(request(HttpMethod.POST, "/v1/streams").putHeader("Content-Type", type)
          .sendBuffer(Buffer.buffer(chat))).statusCode(), type);
    }
  }

  @Test
  void headIsAnsweredWhereverGetIsWithItsStatusAndHeadersAndNoBody(Vertx vertx) {
    String stream = await(client.createStream(TestHubs.chat("head", 1L).put("max_tokens", 3)));
    await(client.awaitFinished(vertx, stream));
    for (String path : List.of("/health/live", "/health/ready", "/v1/models", "/v1/models/demo", "/v1/models/nope",
        "/v1/cluster", "/v1/streams/" + stream, "/v1/streams/" + StreamIds.next(), "/", "/nowhere")) {
      HttpResponse<Buffer> get = await(request(HttpMethod.GET, path).send());
      HttpResponse<Buffer> head = await(request(HttpMethod.HEAD, path).send());
      assertEquals(get.statusCode(), head.statusCode(), path);
      assertEquals(get.getHeader("Content-Type"), head.getHeader("Content-Type"), path);
      assertNull(head.body(), path);
    }
    // a streaming GET would stay open while the stream goes on: HEAD answers at once, headers only
    String live = await(client.createStream(TestHubs.chat("live", 1L).put("max_tokens", 500)));
    for (String suffix : List.of("/events", "/poll")) {
      HttpResponse<Buffer> head = await(request(HttpMethod.HEAD, "/v1/streams/" + live + suffix).send());
      assertEquals(200, head.statusCode(), suffix);
      assertEquals(suffix.equals("/events") ? "text/event-stream" : "application/json", head.getHeader("Content-Type"));
      assertEquals(live, head.getHeader("X-Stream-Id"));
      assertNull(head.body(), suffix);
      assertEquals(404, await(request(HttpMethod.HEAD, "/v1/streams/" + StreamIds.next() + suffix).send()).statusCode(), suffix);
    }
    await(client.delete("/v1/streams/" + live));
  }

  @Test
  void every405SaysWhichMethodsThePathTakes() {
    String stream = StreamIds.next();
    Map<String, List<HttpMethod>> refused = Map.of(
        "/v1/models", List.of(HttpMethod.POST, HttpMethod.DELETE),
        "/v1/chat/completions", List.of(HttpMethod.GET, HttpMethod.PUT),
        "/v1/streams/" + stream, List.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH),
        "/v1/streams/" + stream + "/events", List.of(HttpMethod.PUT, HttpMethod.DELETE),
        "/health/live", List.of(HttpMethod.POST));
    Map<String, String> allow = Map.of(
        "/v1/models", "GET, HEAD",
        "/v1/chat/completions", "POST",
        "/v1/streams/" + stream, "DELETE, GET, HEAD",
        "/v1/streams/" + stream + "/events", "GET, HEAD, POST",
        "/health/live", "GET, HEAD");
    for (var path : refused.entrySet()) {
      for (HttpMethod method : path.getValue()) {
        HttpResponse<Buffer> answer = await(request(method, path.getKey()).send());
        JsonObject error = error(answer, 405, "method_not_allowed");
        assertEquals(allow.get(path.getKey()), answer.getHeader("Allow"), method + " " + path.getKey());
        assertEquals(method + " " + path.getKey() + " is not allowed; this path takes " + allow.get(path.getKey()), error.getString("message"));
      }
    }
  }

  private static JsonObject error(HttpResponse<Buffer> answer, int status, String code) {
    assertEquals(status, answer.statusCode(), answer.bodyAsString());
    JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
    assertEquals(code, error.getString("code"));
    assertTrue(error.containsKey("param") && error.getValue("param") == null, answer.bodyAsString());
    return error;
  }
}
