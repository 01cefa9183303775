package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP publish API: {@code POST /v1/streams} with {@code {"publisher":"external"}} creates an
 * empty stream; {@code POST /v1/streams/{id}/events} appends events at hub-assigned offsets, and is
 * refused with a stable code for the wrong owner, a model stream, a finished or unknown stream and
 * bad input.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PublishApiTest {

  private Hub hub;
  private HubClient client;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx, new JsonObject().put("http_max_body_bytes", 4096)).onComplete(ctx.succeeding(started -> {
      hub = started;
      client = new HubClient(vertx, hub.port());
      ctx.completeNow();
    }));
  }

  static JsonObject delta(String text) {
    return new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", text));
  }

  private Future<String> external() {
    return client.postJson("/v1/streams", new JsonObject().put("publisher", "external")).map(resp -> {
      assertEquals(201, resp.statusCode(), resp.bodyAsString());
      JsonObject body = resp.bodyAsJsonObject();
      String id = body.getString("stream");
      assertTrue(StreamIds.looksValid(id), id);
      assertEquals("external", body.getString("model"));
      assertEquals("external", body.getString("publisher"));
      assertEquals("anonymous", body.getString("owner"));
      assertEquals(0L, body.getLong("next_offset"));
      assertFalse(body.getBoolean("finished"));
      assertEquals("/v1/streams/" + id + "/events", body.getString("publish_url"));
      return id;
    });
  }

  private Future<JsonObject> publish(String id, Object body, int status) {
    return client.post("/v1/streams/" + id + "/events", Buffer.buffer(body.toString())).map(resp -> {
      assertEquals(status, resp.statusCode(), resp.bodyAsString());
      return resp.bodyAsJsonObject();
    });
  }

  /** Status, and the error's stable code and OpenAI type. */
  static Future<JsonObject> expectError(Future<HttpResponse<Buffer>> response, int status, String code, String type) {
    return response.map(resp -> {
      assertEquals(status, resp.statusCode(), resp.bodyAsString());
      assertTrue(resp.getHeader("Content-Type").startsWith("application/json"));
      JsonObject error = resp.bodyAsJsonObject().getJsonObject("error");
      assertEquals(code, error.getString("code"), resp.bodyAsString());
      assertEquals(type, error.getString("type"));
      assertFalse(error.getString("message").isBlank());
      return error;
    });
  }

  private Future<JsonObject> expectBadRequest(String id, String body) {
    return expectError(client.post("/v1/streams/" + id + "/events", Buffer.buffer(body)), 400, "bad_request", "invalid_request_error");
  }

  @Test
  void assignsContiguousOffsetsAndEndsOnTheTerminalEvent(VertxTestContext ctx) {
    external().compose(id -> publish(id, delta("Hel"), 200)
        .compose(first -> {
          assertEquals(new JsonObject().put("stream", id).put("first_offset", 0L).put("next_offset", 1L).put("finished", false), first);
          JsonArray batch = new JsonArray().add(delta("lo")).add(new JsonObject().put("type", "usage")
              .put("data", new JsonObject().put("anything", new JsonArray().add(1))));
          return publish(id, batch, 200);
        })
        .compose(second -> {
          assertEquals(new JsonObject().put("stream", id).put("first_offset", 1L).put("next_offset", 3L).put("finished", false), second);
          return publish(id, new JsonObject().put("type", "binary").put("data", new JsonObject().put("base64", "AAEC/w==")), 200);
        })
        .compose(binary -> {
          assertEquals(4L, binary.getLong("next_offset"));
          return publish(id, new JsonObject().put("type", "done"), 200);
        })
        .compose(third -> {
          assertEquals(new JsonObject().put("stream", id).put("first_offset", 4L).put("next_offset", 5L).put("finished", true), third);
          return client.get("/v1/streams/" + id);
        })
        .map(meta -> {
          JsonObject body = meta.bodyAsJsonObject();
          assertEquals(5L, body.getLong("next_offset"));
          assertTrue(body.getBoolean("finished"));
          return body;
        })
        .compose(x -> hub.log().read(id, 0, 10))
        .map(read -> {
          assertEquals("Hel", read.events().get(0).data().getString("text"));
          assertEquals("lo", read.events().get(1).data().getString("text"));
          assertEquals(new JsonObject().put("anything", new JsonArray().add(1)), read.events().get(2).data());
          assertEquals(new JsonObject().put("base64", "AAEC/w=="), read.events().get(3).data());
          assertEquals("done", read.events().get(4).type().wire());
          assertEquals(new JsonObject(), read.events().get(4).data());
          return read;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusesAFinishedStreamWithStreamFinished(VertxTestContext ctx) {
    external().compose(id -> publish(id, new JsonObject().put("type", "cancelled"), 200)
        .compose(x -> expectError(client.post("/v1/streams/" + id + "/events", delta("late").toBuffer()), 409, "stream_finished", "invalid_request_error"))
        .compose(x -> hub.log().meta(id))
        .map(meta -> {
          assertEquals(1L, meta.nextOffset());
          return meta;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusesAnotherOwnersStreamWithForbidden(VertxTestContext ctx) {
    String id = StreamIds.next();
    hub.log().create(StreamMeta.fresh(id, "someone-else", StreamMeta.EXTERNAL, System.currentTimeMillis()))
        .compose(x -> expectError(client.post("/v1/streams/" + id + "/events", delta("mine?").toBuffer()), 403, "forbidden", "permission_error"))
        .compose(x -> hub.log().meta(id))
        .map(meta -> {
          assertEquals(0L, meta.nextOffset());
          return meta;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusesAModelStreamWithStreamNotExternal(VertxTestContext ctx) {
    client.createStream(TestHubs.chat("a model answers this", 1L).put("max_tokens", 3))
        .compose(id -> expectError(client.post("/v1/streams/" + id + "/events", delta("injected").toBuffer()), 409, "stream_not_external", "invalid_request_error")
            .compose(x -> client.awaitFinished(hub.vertx(), id))
            .compose(x -> hub.log().read(id, 0, 100))
            .map(read -> {
              assertTrue(read.events().stream().noneMatch(e -> "injected".equals(e.data().getString("text"))));
              return read;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusesUnknownStreams(VertxTestContext ctx) {
    expectError(client.post("/v1/streams/st_AAAAAAAAAAAAAAAAAAAAAA/events", delta("x").toBuffer()), 404, "stream_not_found", "invalid_request_error")
        .compose(x -> expectError(client.post("/v1/streams/nonsense/events", delta("x").toBuffer()), 404, "stream_not_found", "invalid_request_error"))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Nested
  class BadInput {

    @Test
    void badEventsAreBadRequestAndAppendNothing(VertxTestContext ctx) {
      external().compose(id -> expectBadRequest(id, "")
          .compose(x -> expectBadRequest(id, "{not json"))
          .compose(x -> expectBadRequest(id, "[]"))
          .compose(x -> expectBadRequest(id, "\"delta\""))
          .compose(x -> expectBadRequest(id, "{\"type\":\"shout\",\"data\":{}}"))
          .compose(x -> expectBadRequest(id, "{\"data\":{}}"))
          .compose(x -> expectBadRequest(id, "{\"type\":\"delta\",\"data\":\"text\"}"))
          .compose(x -> expectBadRequest(id, "{\"type\":\"delta\",\"data\":{\"text\":42}}"))
          .compose(x -> expectBadRequest(id, "{\"type\":\"delta\",\"data\":{},\"offset\":7}"))
          .compose(x -> expectBadRequest(id, "{\"type\":\"binary\",\"data\":{\"base64\":\"not base64!\"}}"))
          .compose(x -> expectBadRequest(id, "[{\"type\":\"done\"},{\"type\":\"delta\",\"data\":{\"text\":\"after\"}}]"))
          .compose(x -> expectBadRequest(id, "[{\"type\":\"delta\",\"data\":{\"text\":\"ok\"}}, 3]"))
          .compose(x -> expectError(client.post("/v1/streams/" + id + "/events", Buffer.buffer("[" + delta("x".repeat(5000)).encode() + "]")),
              413, "payload_too_large", "invalid_request_error"))
          .compose(x -> hub.log().meta(id))
          .map(meta -> {
            assertEquals(0L, meta.nextOffset());
            return meta;
          }))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void badCreateBodiesAreBadRequest(VertxTestContext ctx) {
      expectError(client.postJson("/v1/streams", new JsonObject().put("publisher", "internal")), 400, "bad_request", "invalid_request_error")
          .compose(x -> expectError(client.postJson("/v1/streams", new JsonObject().put("publisher", "external").put("model", "demo")),
              400, "bad_request", "invalid_request_error"))
          .compose(x -> expectError(client.postJson("/v1/streams", TestHubs.chat("hi", 1L).put("model", "external")),
              400, "bad_request", "invalid_request_error"))
          .onComplete(ctx.succeedingThenComplete());
    }
  }
}
