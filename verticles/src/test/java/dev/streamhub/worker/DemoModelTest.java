package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The demo model: deterministic word-piece tokens, seeds, and caps, through a real hub. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoModelTest {

  /** One generation as the native SSE endpoint replays it: its event frames. */
  private static Future<List<JsonObject>> generate(Vertx vertx, HubClient client, JsonObject body) {
    return client.createStream(body)
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

  private static List<Long> range(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  private static Future<HubClient> hub(Vertx vertx, JsonObject overrides) {
    return TestHubs.start(vertx, overrides).map(hub -> new HubClient(vertx, hub.port()));
  }

  @Nested
  class Determinism {

    @Test
    void sameMessagesAndSeedGiveTheSameTokensAndAnotherSeedOthers(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject()).compose(client -> generate(vertx, client, TestHubs.chat("tell me about offsets", 11L))
          .compose(a -> generate(vertx, client, TestHubs.chat("tell me about offsets", 11L)).map(b -> List.of(a, b)))
          .compose(ab -> generate(vertx, client, TestHubs.chat("tell me about offsets", 12L)).map(c -> {
            List<String> first = texts(ab.get(0));
            assertTrue(first.size() >= 24, "answers are 24 to 96 tokens: " + first);
            assertEquals(first, texts(ab.get(1)));
            assertNotEquals(first, texts(c), "another seed, another answer");
            assertTrue(first.stream().allMatch(t -> !t.isEmpty() && t.length() <= 5), "word-piece tokens: " + first);
            assertTrue(String.join("", first).startsWith("You asked: tell me about offsets."), String.join("", first));
            return c;
          })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void otherMessagesGiveOtherTokens(Vertx vertx, VertxTestContext ctx) {
      JsonObject twoTurns = TestHubs.chat("tell me about offsets", 11L);
      twoTurns.getJsonArray("messages").add(0, new JsonObject().put("role", "system").put("content", "be brief"));
      hub(vertx, new JsonObject()).compose(client -> generate(vertx, client, TestHubs.chat("tell me about offsets", 11L))
          .compose(a -> generate(vertx, client, twoTurns).map(b -> {
            assertNotEquals(texts(a), texts(b));
            return b;
          })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void theTokenFunctionIsPure(VertxTestContext ctx) {
      JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello there"));
      GenerateRequest request = new GenerateRequest("st_x", "demo", "alice", messages, 0, 99L);
      GenerateRequest otherStream = new GenerateRequest("st_y", "demo", "bob", messages, 0, 99L);
      ctx.verify(() -> {
        List<String> tokens = DemoModelBackend.tokens(request, 0, 1000);
        assertEquals(tokens, DemoModelBackend.tokens(otherStream, 0, 1000), "only messages and seed matter");
        assertEquals(tokens.subList(0, 10), DemoModelBackend.tokens(request, 0, 10));
        assertEquals(40, DemoModelBackend.tokens(request, 40, 1000).size());
      });
      ctx.completeNow();
    }
  }

  @Nested
  class Length {

    @Test
    void maxTokensGivesExactlyThatManyDeltasAndFinishReasonLength(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject()).compose(client -> generate(vertx, client, TestHubs.chat("cap me", 3L).put("max_tokens", 7)))
          .map(events -> {
            assertEquals(range(0, 9), events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
            assertEquals(List.of("delta", "delta", "delta", "delta", "delta", "delta", "delta", "usage", "done"), types(events));
            assertEquals(7, events.get(7).getJsonObject("data").getInteger("completion_tokens"));
            assertEquals("length", events.get(8).getJsonObject("data").getString("finish_reason"));
            return events;
          })
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void maxTokensIsAPrefixOfTheUncappedAnswer(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject()).compose(client -> generate(vertx, client, TestHubs.chat("prefix", 3L))
          .compose(full -> generate(vertx, client, TestHubs.chat("prefix", 3L).put("max_completion_tokens", 12)).map(capped -> {
            assertEquals(texts(full).subList(0, 12), texts(capped));
            assertEquals("stop", full.get(full.size() - 1).getJsonObject("data").getString("finish_reason"));
            return capped;
          })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void answerExactlyAtTheCapStopsAndLongerAnswersAreCutByDemoMaxTokens(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject().put("demo_answer_tokens", 30).put("demo_max_tokens", 20))
          .compose(client -> generate(vertx, client, TestHubs.chat("default cap", 1L))
              .compose(defaultCap -> {
                assertEquals(20, texts(defaultCap).size());
                assertEquals("length", defaultCap.get(defaultCap.size() - 1).getJsonObject("data").getString("finish_reason"));
                return generate(vertx, client, TestHubs.chat("exact", 1L).put("max_tokens", 30));
              })
              .map(exact -> {
                assertEquals(30, texts(exact).size());
                assertEquals("stop", exact.get(exact.size() - 1).getJsonObject("data").getString("finish_reason"));
                return exact;
              }))
          .onComplete(ctx.succeedingThenComplete());
    }
  }
}
