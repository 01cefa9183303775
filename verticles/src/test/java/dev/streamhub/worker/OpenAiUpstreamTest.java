package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream worker against {@link FakeUpstream}: tokens pass through exactly, usage and finish
 * reason are kept, every upstream failure ends the stream with one {@code error} event and a stable
 * code, and a cancel closes the upstream request.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiUpstreamTest {

  private static final String KEY = "sk-test-secret";
  private static final long TIMEOUT_MS = 300;

  private FakeUpstream fake;
  private HubClient client;

  /** A fake upstream and a hub in front of it, configured by the two variables only (and a short timeout). */
  private Future<HubClient> hub(Vertx vertx) {
    fake = new FakeUpstream(vertx);
    return fake.start()
        .compose(f -> Hub.start(vertx, HubConfig.load(testJson(),
            Map.of("STREAMHUB_UPSTREAM_BASE_URL", fake.baseUrl(), "STREAMHUB_UPSTREAM_API_KEY", KEY))))
        .map(hub -> client = new HubClient(vertx, hub.port()));
  }

  private static JsonObject testJson() {
    return new JsonObject().put("http_host", "127.0.0.1").put("http_port", 0).put("http_instances", 1)
        .put("demo_ttft_ms", 0).put("demo_tokens_per_second", 2000).put("upstream_timeout_ms", TIMEOUT_MS);
  }

  private static JsonObject chat(String model) {
    return new JsonObject().put("model", model).put("max_tokens", 50).put("seed", 3)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "say hello")));
  }

  /** The stream's events once it finished, as native SSE replays them. */
  private Future<List<JsonObject>> run(Vertx vertx, String model) {
    return client.createStream(chat(model))
        .compose(id -> client.awaitFinished(vertx, id).compose(meta -> client.readSse("/v1/streams/" + id + "/events")))
        .map(resp -> SseFrame.events(resp.frames()).stream().map(f -> new JsonObject(f.data())).collect(Collectors.toList()));
  }

  private static List<String> texts(List<JsonObject> events) {
    return events.stream().filter(e -> e.getString("type").equals("delta"))
        .map(e -> e.getJsonObject("data").getString("text")).collect(Collectors.toList());
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).collect(Collectors.toList());
  }

  private static List<Long> offsets(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
  }

  private static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().collect(Collectors.toList());
  }

  /** {@code deltas} deltas, then one error event with {@code code}; yields its message. */
  private static String endsWithError(List<JsonObject> events, List<String> deltas, String code) {
    List<String> expected = new ArrayList<>();
    deltas.forEach(d -> expected.add("delta"));
    expected.add("error");
    assertEquals(expected, types(events), events.toString());
    assertEquals(deltas, texts(events));
    assertEquals(range(events.size()), offsets(events));
    JsonObject error = events.get(events.size() - 1).getJsonObject("data");
    assertEquals(code, error.getString("code"), error.encode());
    return error.getString("message");
  }

  @Test
  void streamsTheUpstreamTokensExactlyWithUsageAndFinishReason(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> run(vertx, "fake-gpt")).map(events -> {
      List<String> expectedTypes = new ArrayList<>();
      FakeUpstream.TOKENS.forEach(t -> expectedTypes.add("delta"));
      expectedTypes.add("usage");
      expectedTypes.add("done");
      assertEquals(expectedTypes, types(events));
      assertEquals(FakeUpstream.TOKENS, texts(events));
      assertEquals(range(FakeUpstream.TOKENS.size() + 2), offsets(events));
      assertEquals(new JsonObject().put("prompt_tokens", 9).put("completion_tokens", 6).put("total_tokens", 15),
          events.get(events.size() - 2).getJsonObject("data"));
      assertEquals("stop", events.get(events.size() - 1).getJsonObject("data").getString("finish_reason"));

      JsonObject sent = fake.bodies().get(0);
      assertEquals(new JsonObject().put("model", "fake-gpt").put("messages", chat("x").getJsonArray("messages"))
          .put("stream", true).put("stream_options", new JsonObject().put("include_usage", true))
          .put("max_tokens", 50).put("seed", 3), sent);
      assertTrue(fake.authorizations().stream().allMatch(a -> a.equals("Bearer " + KEY)), fake.authorizations().toString());
      return events;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void servesEveryModelTheUpstreamListsNextToTheDemo(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> client.get("/v1/models")).map(resp -> {
      assertEquals(200, resp.statusCode());
      List<String> ids = resp.bodyAsJsonObject().getJsonArray("data").stream()
          .map(m -> ((JsonObject) m).getString("id")).collect(Collectors.toList());
      List<String> expected = new ArrayList<>(FakeUpstream.MODELS);
      expected.add("demo");
      expected.sort(String::compareTo);
      assertEquals(expected, ids);
      return ids;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theOpenAiEndpointAnswersWithTheUpstreamText(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> client.postJson("/v1/chat/completions", chat("fake-gpt"))).map(resp -> {
      assertEquals(200, resp.statusCode(), resp.bodyAsString());
      JsonObject body = resp.bodyAsJsonObject();
      assertEquals(String.join("", FakeUpstream.TOKENS), body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
      assertEquals(15, body.getJsonObject("usage").getInteger("total_tokens"));
      return body;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void noFirstTokenInTimeIsUpstreamTimeoutAndClosesTheUpstreamRequest(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> run(vertx, "fake-slow")).compose(events -> {
      String message = endsWithError(events, List.of(), "upstream_timeout");
      assertEquals("upstream 'default' sent no token within " + TIMEOUT_MS + " ms", message);
      return fake.closed("fake-slow");
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aMidStreamDisconnectIsUpstreamError(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> run(vertx, "fake-cut")).map(events -> {
      String message = endsWithError(events, FakeUpstream.TOKENS.subList(0, 2), "upstream_error");
      assertTrue(message.startsWith("upstream 'default' "), message);
      return events;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anErrorAnswerIsUpstreamErrorWithTheUpstreamMessage(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> run(vertx, "fake-error")).map(events -> {
      String message = endsWithError(events, List.of(), "upstream_error");
      assertEquals("upstream 'default' answered 429: " + FakeUpstream.ERROR_MESSAGE, message);
      assertFalse(message.contains(KEY));
      return events;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void malformedSseIsUpstreamError(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> run(vertx, "fake-garbage")).compose(events -> {
      String message = endsWithError(events, FakeUpstream.TOKENS.subList(0, 1), "upstream_error");
      assertEquals("upstream 'default' sent malformed SSE: an event that is not a JSON object", message);
      return fake.closed("fake-garbage");
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRefusedConnectionIsUpstreamUnavailable(Vertx vertx, VertxTestContext ctx) {
    vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1")
        .compose(server -> server.close().map(server.actualPort()))
        .compose(port -> Hub.start(vertx, TestHubs.config(new JsonObject().put("upstreams", new JsonArray().add(new JsonObject()
            .put("name", "gone").put("base_url", "http://127.0.0.1:" + port + "/v1").put("models", new JsonArray().add("gone-model")))))))
        .compose(hub -> {
          client = new HubClient(vertx, hub.port());
          return run(vertx, "gone-model");
        })
        .map(events -> {
          String message = endsWithError(events, List.of(), "upstream_unavailable");
          assertTrue(message.startsWith("upstream 'gone' is unavailable: "), message);
          return events;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void cancelClosesTheUpstreamRequest(Vertx vertx, VertxTestContext ctx) {
    hub(vertx).compose(c -> client.createStream(chat("fake-endless"))).compose(id -> TestHubs.eventually(vertx, 10, 500,
            () -> client.get("/v1/streams/" + id).map(resp -> resp.bodyAsJsonObject().getLong("next_offset") >= 3))
        .compose(x -> client.delete("/v1/streams/" + id))
        .compose(resp -> {
          assertEquals(200, resp.statusCode(), resp.bodyAsString());
          return fake.closed("fake-endless").timeout(5, TimeUnit.SECONDS);
        })
        .compose(x -> client.readSse("/v1/streams/" + id + "/events"))
        .map(resp -> {
          List<JsonObject> events = SseFrame.events(resp.frames()).stream().map(f -> new JsonObject(f.data())).collect(Collectors.toList());
          assertEquals("cancelled", events.get(events.size() - 1).getString("type"));
          assertTrue(texts(events).stream().allMatch("tick "::equals));
          assertEquals(range(events.size()), offsets(events));
          return events;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aHubWhoseUpstreamCannotListModelsFailsToStartNamingIt(Vertx vertx, VertxTestContext ctx) {
    vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1")
        .compose(server -> server.close().map(server.actualPort()))
        .compose(port -> Hub.start(vertx, TestHubs.config(new JsonObject().put("upstream_base_url", "http://127.0.0.1:" + port + "/v1"))))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertTrue(err.getMessage().startsWith("upstream 'default' (http://127.0.0.1:"), err.getMessage());
          assertTrue(err.getMessage().contains("cannot list its models at /models"), err.getMessage());
          ctx.completeNow();
        })));
  }
}
