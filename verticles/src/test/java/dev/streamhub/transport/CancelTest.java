package dev.streamhub.transport;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code DELETE /v1/streams/{id}} mid-generation: the stream ends with {@code cancelled} at the
 * offset DELETE returns, and the worker stops: nothing is appended after it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CancelTest {

  /** 50 tokens/s: one token every 20 ms; 200 tokens would take 4 s. */
  private static final long TOKEN_INTERVAL_MS = 20;

  private Vertx vertx;
  private HubClient client;

  /** A hub at 50 tokens/s, 200-token answers, with {@code overrides}; one hub per Vertx (they would share workers). */
  private Future<HubClient> hub(Vertx vertx, JsonObject overrides) {
    this.vertx = vertx;
    JsonObject slow = new JsonObject().put("demo_tokens_per_second", 50).put("demo_answer_tokens", 200).mergeIn(overrides);
    return TestHubs.start(vertx, slow).map(hub -> {
      client = new HubClient(vertx, hub.port());
      return client;
    });
  }

  private static List<Long> range(long from, long toInclusive) {
    return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
  }

  private Future<Long> cancel(String id) {
    return client.delete("/v1/streams/" + id).map(resp -> {
      assertEquals(200, resp.statusCode(), resp.bodyAsString());
      JsonObject body = resp.bodyAsJsonObject();
      assertEquals(id, body.getString("stream"));
      assertEquals("cancelled", body.getString("status"));
      return body.getLong("offset");
    });
  }

  /** For six token intervals, the log stays at exactly {@code offset + 1} events, finished. */
  private Future<Void> nothingAppendedAfter(String id, long offset) {
    return TestHubs.consistently(vertx, TOKEN_INTERVAL_MS, 8, () -> client.get("/v1/streams/" + id).map(resp -> {
      JsonObject meta = resp.bodyAsJsonObject();
      assertEquals(offset + 1, meta.getLong("next_offset"), meta.encode());
      assertTrue(meta.getBoolean("finished"), meta.encode());
      return meta;
    }));
  }

  @Test
  void cancellingMidStreamEndsItWithCancelledAndStopsTheWorker(Vertx vertx, VertxTestContext ctx) {
    hub(vertx, new JsonObject()).compose(c -> client.createStream(TestHubs.chat("cancel me", 1L)).compose(id -> {
      String events = "/v1/streams/" + id + "/events";
      return client.openSse(events, MultiMap.caseInsensitiveMultiMap()).compose(live ->
          live.until(frames -> SseFrame.events(frames).size() >= 5)
              .compose(five -> cancel(id))
              .compose(offset -> live.ended().compose(frames -> {
                List<SseFrame> got = SseFrame.events(frames);
                assertTrue(offset >= 5 && offset < 200, "cancelled at " + offset);
                assertEquals(range(0, offset), SseFrame.offsets(got));
                SseFrame last = got.get(got.size() - 1);
                assertEquals("cancelled", last.event());
                JsonObject data = new JsonObject(last.data());
                assertEquals("cancelled", data.getString("type"));
                assertEquals(offset, data.getLong("offset"));
                assertEquals("client", data.getJsonObject("data").getString("reason"));
                assertTrue(got.subList(0, got.size() - 1).stream().allMatch(f -> "delta".equals(f.event())));
                return nothingAppendedAfter(id, offset);
              })
              .compose(x -> client.readSse(events))
              .map(reread -> {
                assertEquals(range(0, offset), SseFrame.offsets(reread.frames()));
                return reread;
              })));
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void cancellingAFinishedStreamIsStreamFinished(Vertx vertx, VertxTestContext ctx) {
    hub(vertx, new JsonObject()).compose(c -> client.createStream(TestHubs.chat("cancel twice", 1L)))
        .compose(id -> cancel(id)
            .compose(offset -> HttpErrorsTest.expectError(client.delete("/v1/streams/" + id), 409, "stream_finished")
                .compose(x -> nothingAppendedAfter(id, offset))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void cancellingBeforeTheFirstTokenLeavesOnlyTheCancelledEvent(Vertx vertx, VertxTestContext ctx) {
    hub(vertx, new JsonObject().put("demo_ttft_ms", 3000))
        .compose(c -> client.createStream(TestHubs.chat("too late", 1L)))
        .compose(id -> cancel(id).map(offset -> {
          assertEquals(0, offset);
          return id;
        }))
        .compose(id -> nothingAppendedAfter(id, 0).compose(x -> client.readSse("/v1/streams/" + id + "/events")))
        .map(resp -> {
          List<SseFrame> events = SseFrame.events(resp.frames());
          assertEquals(List.of(0L), SseFrame.offsets(events));
          assertEquals("cancelled", events.get(0).event());
          return resp;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void cancellingAnOpenAiStreamEndsItWithAnErrorChunkAndNoDone(Vertx vertx, VertxTestContext ctx) {
    Buffer body = TestHubs.chat("cancel the chunks", 1L).put("stream", true).toBuffer();
    MultiMap json = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    hub(vertx, new JsonObject()).compose(c -> client.openSse(HttpMethod.POST, "/v1/chat/completions", json, body)).compose(live -> {
      String id = live.headers().get("X-Stream-Id");
      return live.until(frames -> SseFrame.events(frames).size() >= 3)
          .compose(three -> cancel(id))
          .compose(offset -> live.ended().map(frames -> {
            List<SseFrame> got = SseFrame.events(frames);
            // content chunks carry their offsets; the last chunk of the terminal event at offset d carries d + 2
            List<Long> ids = new ArrayList<>(range(0, offset - 1));
            ids.add(offset + 2);
            assertEquals(ids, SseFrame.offsets(got));
            SseFrame last = got.get(got.size() - 1);
            JsonObject error = new JsonObject(last.data()).getJsonObject("error");
            assertEquals("cancelled", error.getString("code"));
            assertTrue(got.stream().noneMatch(f -> f.data().equals("[DONE]")));
            return frames;
          }));
    }).onComplete(ctx.succeedingThenComplete());
  }
}
