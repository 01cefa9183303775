package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.StreamIds;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every error of the HTTP contract, by status and stable {@code error.code}, in OpenAI's shape
 * {@code {"error":{"code","message","type","param"}}}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpErrorsTest {

  private Vertx vertx;
  private HubClient client;

  /** A small log (10 events per stream) and body limit (512 bytes), 30-token answers. */
  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    JsonObject config = new JsonObject()
        .put("log_max_events_per_stream", 10)
        .put("http_max_body_bytes", 512)
        .put("demo_answer_tokens", 30);
    TestHubs.start(vertx, config).onComplete(ctx.succeeding(hub -> {
      client = new HubClient(vertx, hub.port());
      ctx.completeNow();
    }));
  }

  /** Checks status, content type and the error object; yields the error object. */
  static Future<JsonObject> expectError(Future<HttpResponse<Buffer>> response, int status, String code) {
    return response.map(resp -> {
      String body = resp.bodyAsString();
      assertEquals(status, resp.statusCode(), body);
      assertTrue(resp.getHeader("Content-Type").startsWith("application/json"), resp.getHeader("Content-Type"));
      JsonObject error = new JsonObject(body).getJsonObject("error");
      assertEquals(code, error.getString("code"), body);
      assertEquals(status >= 500 ? "server_error" : "invalid_request_error", error.getString("type"), body);
      assertFalse(error.getString("message").isBlank(), body);
      assertTrue(error.containsKey("param") && error.getValue("param") == null, "OpenAI's errors carry param (null here): " + body);
      return error;
    });
  }

  private static Future<Void> each(List<Function<Void, Future<?>>> checks) {
    Future<?> chain = Future.succeededFuture();
    for (Function<Void, Future<?>> check : checks) {
      chain = chain.compose(x -> check.apply(null));
    }
    return chain.mapEmpty();
  }

  private static JsonObject user(String text) {
    return new JsonObject().put("role", "user").put("content", text);
  }

  @Nested
  class BadRequests {

    @Test
    void invalidJsonIsBadRequestOnBothCreateEndpoints(VertxTestContext ctx) {
      each(List.of(
          v -> expectError(client.post("/v1/chat/completions", Buffer.buffer("{\"model\":")), 400, "bad_request"),
          v -> expectError(client.post("/v1/streams", Buffer.buffer("not json")), 400, "bad_request"),
          v -> expectError(client.post("/v1/chat/completions", Buffer.buffer("[1,2]")), 400, "bad_request"),
          v -> expectError(client.post("/v1/streams", Buffer.buffer("")), 400, "bad_request")))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void missingOrInvalidFieldsAreBadRequestNamingTheField(VertxTestContext ctx) {
      JsonObject ok = TestHubs.chat("hi", 1L);
      List<JsonObject> bodies = List.of(
          ok.copy().putNull("model"),
          ok.copy().put("model", ""),
          ok.copy().put("model", 7),
          ok.copy().putNull("messages"),
          ok.copy().put("messages", new JsonArray()),
          ok.copy().put("messages", "hello"),
          ok.copy().put("messages", new JsonArray().add(new JsonObject().put("role", "robot").put("content", "x"))),
          ok.copy().put("messages", new JsonArray().add(new JsonObject().put("role", "user"))),
          ok.copy().put("stream", "yes"),
          ok.copy().put("max_tokens", 0),
          ok.copy().put("max_tokens", 1.5),
          ok.copy().put("seed", "abc"),
          ok.copy().put("n", 2),
          ok.copy().put("stream_options", new JsonObject().put("include_usage", true)));
      List<String> fields = List.of("model", "model", "model", "messages", "messages", "messages", "role", "content",
          "stream", "max_tokens", "max_tokens", "seed", "n", "stream_options");
      Future<?> chain = Future.succeededFuture();
      for (int i = 0; i < bodies.size(); i++) {
        JsonObject body = bodies.get(i);
        String field = fields.get(i);
        chain = chain
            .compose(x -> expectError(client.postJson("/v1/chat/completions", body), 400, "bad_request"))
            .map(error -> {
              assertTrue(error.getString("message").contains(field), body + " -> " + error);
              return error;
            })
            .compose(x -> expectError(client.postJson("/v1/streams", body), 400, "bad_request"));
      }
      chain.onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void unknownModelIsModelNotFound(VertxTestContext ctx) {
      JsonObject body = TestHubs.chat("hi", null).put("model", "gpt-nonexistent");
      each(List.of(
          v -> expectError(client.postJson("/v1/chat/completions", body), 404, "model_not_found"),
          v -> expectError(client.postJson("/v1/chat/completions", body.copy().put("stream", true)), 404, "model_not_found"),
          v -> expectError(client.postJson("/v1/streams", body), 404, "model_not_found"),
          v -> expectError(client.get("/v1/models/gpt-nonexistent"), 404, "model_not_found")))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void bodyOverTheLimitIsPayloadTooLarge(VertxTestContext ctx) {
      JsonObject big = TestHubs.chat("x".repeat(600), 1L);
      each(List.of(
          v -> expectError(client.postJson("/v1/chat/completions", big), 413, "payload_too_large"),
          v -> expectError(client.postJson("/v1/streams", big), 413, "payload_too_large"),
          v -> client.postJson("/v1/streams", TestHubs.chat("x".repeat(300), 1L)).map(resp -> {
            assertEquals(201, resp.statusCode(), resp.bodyAsString());
            return resp;
          })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void unknownFormatIsBadRequest(VertxTestContext ctx) {
      client.createStream(TestHubs.chat("hi", 1L))
          .compose(id -> expectError(client.get("/v1/streams/" + id + "/events?format=xml"), 400, "bad_request"))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class UnknownThings {

    @Test
    void unknownStreamIsStreamNotFoundOnEveryStreamEndpoint(VertxTestContext ctx) {
      String unknown = StreamIds.next();
      each(List.of(
          v -> expectError(client.get("/v1/streams/" + unknown), 404, "stream_not_found"),
          v -> expectError(client.get("/v1/streams/" + unknown + "/events"), 404, "stream_not_found"),
          v -> expectError(client.get("/v1/streams/" + unknown + "/events?format=openai"), 404, "stream_not_found"),
          v -> expectError(client.delete("/v1/streams/" + unknown), 404, "stream_not_found"),
          v -> expectError(client.get("/v1/streams/not-a-stream-id"), 404, "stream_not_found"),
          v -> expectError(client.get("/v1/streams/not-a-stream-id/events"), 404, "stream_not_found"),
          v -> expectError(client.delete("/v1/streams/not-a-stream-id"), 404, "stream_not_found")))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void unknownPathIsNotFoundAndWrongMethodIsMethodNotAllowed(VertxTestContext ctx) {
      each(List.of(
          v -> expectError(client.get("/v1/nothing-here"), 404, "not_found"),
          v -> expectError(client.postJson("/v2/chat/completions", TestHubs.chat("hi", 1L)), 404, "not_found"),
          v -> expectError(client.get("/no-such-page.html"), 404, "not_found"),
          v -> expectError(client.web().put(client.port(), "127.0.0.1", "/v1/streams/" + StreamIds.next()).send(), 405, "method_not_allowed")))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Offsets {

    @Test
    void offsetsBelowTheRetainedRangeAreOffsetExpired(VertxTestContext ctx) {
      // 30 tokens + usage + done = 32 events; the log keeps the last 10 (offsets 22..31)
      client.createStream(TestHubs.chat("expire me", 1L))
          .compose(id -> client.awaitFinished(vertx, id).compose(meta -> {
            assertEquals(22, meta.getLong("first_offset"));
            assertEquals(32, meta.getLong("next_offset"));
            String events = "/v1/streams/" + id + "/events";
            return each(List.of(
                v -> expectError(client.get(events), 410, "offset_expired"),
                v -> expectError(client.get(events + "?from=21"), 410, "offset_expired"),
                v -> expectError(client.get(events + "?lastEventId=20"), 410, "offset_expired"),
                v -> expectError(client.get(events + "?from=0&format=openai"), 410, "offset_expired"),
                v -> expectError(client.web().get(client.port(), "127.0.0.1", events).putHeader("Last-Event-ID", "5").send(),
                    410, "offset_expired"),
                v -> client.readSse(events + "?from=22").map(resp -> {
                  assertEquals(200, resp.status());
                  assertEquals(List.of(22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L, 31L), dev.streamhub.SseFrame.offsets(resp.frames()));
                  return resp;
                })));
          }))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void malformedNegativeOrPastTheEndOffsetsAreBadOffset(VertxTestContext ctx) {
      client.createStream(TestHubs.chat("offsets", 1L).put("max_tokens", 3))
          .compose(id -> client.awaitFinished(vertx, id).compose(meta -> {
            // 3 tokens + usage + done: offsets 0..4
            assertEquals(5, meta.getLong("next_offset"));
            String events = "/v1/streams/" + id + "/events";
            return each(List.of(
                v -> expectError(client.get(events + "?from=abc"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?from=-1"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?from=1.5"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?lastEventId=-2"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?from=6"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?lastEventId=5"), 400, "bad_offset"),
                v -> expectError(client.get(events + "?from=99999999999999999999"), 400, "bad_offset"),
                v -> expectError(client.web().get(client.port(), "127.0.0.1", events).putHeader("Last-Event-ID", "x1").send(),
                    400, "bad_offset"),
                v -> client.readSse(events + "?from=5", MultiMap.caseInsensitiveMultiMap()).map(resp -> {
                  assertEquals(204, resp.status(), "the end of a finished stream is 204, not an error");
                  assertEquals("", resp.body());
                  return resp;
                })));
          }))
          .onComplete(ctx.succeedingThenComplete());
    }
  }
}
