package dev.streamhub.transport.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Responses API on the wire, below what an SDK shows: every SSE {@code id} equals the event's
 * {@code sequence_number} and its {@code event} the {@code type}; {@code Last-Event-ID} resumes like
 * {@code starting_after}; the 400s for a refused field, a bad {@code starting_after}, an unknown
 * query parameter, and {@code /v1/realtime} without an upgrade or a model.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesWireTest {

  private HubClient client;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx).onComplete(ctx.succeeding(hub -> {
      client = new HubClient(vertx, hub.port());
      ctx.completeNow();
    }));
  }

  private static JsonObject body(String input) {
    return new JsonObject().put("model", "demo").put("input", input).put("stream", true).put("background", true);
  }

  @Test
  void sseIdIsTheSequenceNumberAndLastEventIdResumes(VertxTestContext ctx) {
    client.openSse(HttpMethod.POST, "/v1/responses", MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json"),
            body("wire check").toBuffer())
        .compose(HubClient.LiveSse::ended)
        .compose(frames -> {
          List<SseFrame> events = frames.stream().filter(f -> f.data() != null).collect(Collectors.toList());
          ctx.verify(() -> {
            for (SseFrame frame : events) {
              JsonObject data = new JsonObject(frame.data());
              assertEquals(Long.toString(data.getLong("sequence_number")), frame.id(), frame.raw());
              assertEquals(data.getString("type"), frame.event(), frame.raw());
            }
            assertEquals("response.completed", events.get(events.size() - 1).event());
          });
          String id = new JsonObject(events.get(0).data()).getJsonObject("response").getString("id");
          return client.readSse("/v1/responses/" + id + "?stream=true", MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", "5"))
              .map(resumed -> {
                List<String> ids = resumed.frames().stream().filter(f -> f.data() != null).map(SseFrame::id).collect(Collectors.toList());
                List<String> expected = events.stream().map(SseFrame::id).filter(n -> Long.parseLong(n) > 5).collect(Collectors.toList());
                ctx.verify(() -> assertEquals(expected, ids));
                return null;
              });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void refusalsAreOpenAiShaped400s(VertxTestContext ctx) {
    Future.all(List.of(
            client.postJson("/v1/responses", body("x").put("tools", new io.vertx.core.json.JsonArray())),
            client.postJson("/v1/responses", new JsonObject().put("model", "demo")),
            client.postJson("/v1/responses", body("x").put("input", new io.vertx.core.json.JsonArray().add(
                new JsonObject().put("type", "function_call_output")))),
            client.get("/v1/responses/resp_AAAAAAAAAAAAAAAAAAAAAA?stream=true&starting_after=-1"),
            client.get("/v1/responses/resp_AAAAAAAAAAAAAAAAAAAAAA?include=x"),
            client.get("/v1/realtime?model=demo"),
            client.web().get("/v1/realtime").putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade").send()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          List<String> codes = all.<io.vertx.ext.web.client.HttpResponse<Buffer>>list().stream()
              .map(r -> r.statusCode() + " " + r.bodyAsJsonObject().getJsonObject("error").getString("code"))
              .collect(Collectors.toList());
          assertEquals(List.of("400 bad_request", "400 bad_request", "400 bad_request", "400 bad_offset", "400 bad_request",
              "400 bad_request", "400 bad_request"), codes);
          assertTrue(all.<io.vertx.ext.web.client.HttpResponse<Buffer>>resultAt(0).bodyAsString().contains("'tools' is not supported"));
          assertTrue(all.<io.vertx.ext.web.client.HttpResponse<Buffer>>resultAt(6).bodyAsString().contains("'model' is required"));
          ctx.completeNow();
        })));
  }
}
