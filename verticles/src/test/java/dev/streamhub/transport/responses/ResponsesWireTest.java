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

  /** The response object of the wrapper events, byte for byte: the three echoed request fields in their places. */
  private static String wrapper(String id, long createdAt, String status, String incomplete, String instructions, int maxOutputTokens,
      String previous, String output, String usage) {
    return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":" + createdAt + ",\"status\":\"" + status + "\",\"error\":null,"
        + "\"incomplete_details\":" + incomplete + ",\"instructions\":\"" + instructions + "\",\"max_output_tokens\":" + maxOutputTokens + ","
        + "\"model\":\"demo\",\"output\":" + output + ",\"parallel_tool_calls\":false,\"previous_response_id\":\"" + previous + "\","
        + "\"store\":true,\"temperature\":null,\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],"
        + "\"top_p\":null,\"truncation\":\"disabled\",\"metadata\":{},\"usage\":" + usage + "}";
  }

  @Test
  void continuationEchoesItsRequestFieldsOnTheWire(VertxTestContext ctx) {
    client.postJson("/v1/responses", new JsonObject().put("model", "demo").put("input", "my name is Ada"))
        .compose(first -> {
          String previous = first.bodyAsJsonObject().getString("id");
          JsonObject next = body("what did I say?").put("previous_response_id", previous).put("instructions", "be brief")
              .put("max_output_tokens", 7);
          return client.openSse(HttpMethod.POST, "/v1/responses", MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json"),
                  next.toBuffer())
              .compose(HubClient.LiveSse::ended)
              .map(frames -> {
                List<SseFrame> events = frames.stream().filter(f -> f.data() != null).collect(Collectors.toList());
                JsonObject created = new JsonObject(events.get(0).data()).getJsonObject("response");
                String id = created.getString("id");
                long at = created.getLong("created_at");
                SseFrame last = events.get(events.size() - 1);
                JsonObject done = new JsonObject(last.data());
                long seq = done.getLong("sequence_number");
                String output = done.getJsonObject("response").getJsonArray("output").encode();
                String usage = done.getJsonObject("response").getJsonObject("usage").encode();
                ctx.verify(() -> {
                  assertEquals("id: 0\nevent: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                      + wrapper(id, at, "in_progress", "null", "be brief", 7, previous, "[]", "null") + "}", events.get(0).raw());
                  // 7 tokens: the answer is cut there, as OpenAI's: incomplete, reason max_output_tokens
                  assertEquals(List.of("You", " aske", "d:", " what", " did", " I", " say?"), events.stream()
                      .filter(f -> f.event().equals("response.output_text.delta"))
                      .map(f -> new JsonObject(f.data()).getString("delta")).collect(Collectors.toList()));
                  assertEquals("id: " + seq + "\nevent: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"sequence_number\":" + seq
                      + ",\"response\":" + wrapper(id, at, "incomplete", "{\"reason\":\"max_output_tokens\"}", "be brief", 7, previous, output, usage)
                      + "}", last.raw());
                  assertEquals(7, done.getJsonObject("response").getJsonObject("usage").getInteger("output_tokens"));
                });
                return null;
              });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unknownPreviousResponseIdIsOpenAisErrorByteForByte(VertxTestContext ctx) {
    client.postJson("/v1/responses", body("x").put("previous_response_id", "resp_AAAAAAAAAAAAAAAAAAAAAA"))
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertEquals(400, response.statusCode());
          assertEquals("application/json", response.getHeader("content-type"));
          assertEquals("{\"error\":{\"code\":\"previous_response_not_found\",\"message\":\"Previous response with id "
              + "'resp_AAAAAAAAAAAAAAAAAAAAAA' not found.\",\"type\":\"invalid_request_error\",\"param\":null}}", response.bodyAsString());
          ctx.completeNow();
        })));
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
