package dev.streamhub.transport.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A {@code stream:false} completion has a deadline: {@code completion_timeout_ms}, then 504 {@code completion_timeout}. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompletionTimeoutTest {

  @Test
  void aWholeCompletionThatOutlivesItsDeadlineAnswers504AndTheStreamGoesOn(Vertx vertx, VertxTestContext ctx) {
    // 200 tokens at 10 tokens/s: 20 s, far beyond the 1 s deadline
    JsonObject config = new JsonObject().put("completion_timeout_ms", 1000).put("demo_tokens_per_second", 10).put("demo_answer_tokens", 200);
    TestHubs.start(vertx, config).compose(hub -> {
      HubClient client = new HubClient(vertx, hub.port());
      long start = System.nanoTime();
      return client.postJson("/v1/chat/completions", TestHubs.chat("slow", 3L).put("stream", false)).compose(resp -> {
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, resp.statusCode(), resp.bodyAsString());
        JsonObject error = resp.bodyAsJsonObject().getJsonObject("error");
        assertEquals("completion_timeout", error.getString("code"));
        assertEquals("server_error", error.getString("type"));
        assertTrue(tookMs >= 1000 && tookMs < 5000, "answered after " + tookMs + " ms");
        String stream = resp.getHeader("X-Stream-Id");
        return hub.log().meta(stream).compose(meta -> {
          assertEquals(false, meta.finished(), "the generation goes on; the stream can be read from the log");
          // the session closes when Vert.x disposes of the response, which may be just after the client read it
          return TestHubs.eventually(vertx, 20, 100, () -> Future.succeededFuture(hub.stats().connections("completion") == 0));
        });
      });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
