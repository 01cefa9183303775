package dev.streamhub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The native SSE wire format of {@code GET /v1/streams/{id}/events}, and the stream resource around it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NativeSseTest {

  private static Future<HubClient> hub(Vertx vertx, JsonObject overrides) {
    return TestHubs.start(vertx, overrides).map(hub -> new HubClient(vertx, hub.port()));
  }

  private static List<Long> range(long from, long toInclusive) {
    return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
  }

  @Nested
  class WireFormat {

    @Test
    void framesAreRetryThenIdEventAndDataWithTheEventJson(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject().put("sse_retry_ms", 750).put("demo_answer_tokens", 6)).compose(client ->
          client.createStream(TestHubs.chat("wire", 1L)).compose(id -> client.awaitFinished(vertx, id)
              .compose(meta -> client.readSse("/v1/streams/" + id + "/events"))
              .map(resp -> {
                assertEquals(200, resp.status());
                assertEquals("text/event-stream; charset=utf-8", resp.headers().get("Content-Type"));
                assertEquals("no-cache", resp.headers().get("Cache-Control"));
                assertEquals("no", resp.headers().get("X-Accel-Buffering"));
                assertEquals(id, resp.headers().get("X-Stream-Id"));
                assertTrue(resp.body().startsWith("retry: 750\n\nid: 0\nevent: delta\ndata: {"), resp.body());
                List<SseFrame> events = SseFrame.events(resp.frames());
                assertEquals(range(0, 7), SseFrame.offsets(events));
                List<String> types = events.stream().map(SseFrame::event).collect(Collectors.toList());
                assertEquals(List.of("delta", "delta", "delta", "delta", "delta", "delta", "usage", "done"), types);
                StringBuilder text = new StringBuilder();
                for (SseFrame frame : events) {
                  JsonObject json = new JsonObject(frame.data());
                  assertEquals(Set.of("stream", "offset", "type", "data", "ts"), json.fieldNames());
                  assertEquals(id, json.getString("stream"));
                  assertEquals(frame.offset(), json.getLong("offset"));
                  assertEquals(frame.event(), json.getString("type"));
                  assertTrue(json.getLong("ts") > 1_600_000_000_000_000L, "ts is in microseconds: " + json);
                  assertEquals("id: " + frame.id() + "\nevent: " + frame.event() + "\ndata: " + json.encode(), frame.raw());
                  if (frame.event().equals("delta")) {
                    text.append(json.getJsonObject("data").getString("text"));
                  }
                }
                assertTrue(text.toString().startsWith("You asked:"), text.toString());
                assertEquals(6, new JsonObject(events.get(6).data()).getJsonObject("data").getInteger("completion_tokens"));
                assertEquals("stop", new JsonObject(events.get(7).data()).getJsonObject("data").getString("finish_reason"));
                return resp;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void anOpenStreamGetsCommentHeartbeats(Vertx vertx, VertxTestContext ctx) {
      JsonObject slow = new JsonObject().put("sse_heartbeat_ms", 20).put("demo_ttft_ms", 300).put("demo_answer_tokens", 3);
      hub(vertx, slow).compose(client -> client.createStream(TestHubs.chat("beat", 1L))
          .compose(id -> client.openSse("/v1/streams/" + id + "/events", MultiMap.caseInsensitiveMultiMap()))
          .compose(live -> live.ended()))
          .map(frames -> {
            List<String> beforeFirstEvent = new ArrayList<>();
            for (SseFrame f : frames.subList(1, frames.size())) {
              if (f.isEvent()) {
                break;
              }
              beforeFirstEvent.add(f.raw());
            }
            assertTrue(beforeFirstEvent.size() >= 3, "heartbeats during a 300 ms first-token wait at 20 ms: " + beforeFirstEvent);
            assertTrue(beforeFirstEvent.stream().allMatch(": heartbeat"::equals), beforeFirstEvent.toString());
            assertEquals(range(0, 4), SseFrame.offsets(frames));
            return frames;
          })
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void concurrentReadersOfALiveStreamGetTheSameBytes(Vertx vertx, VertxTestContext ctx) {
      JsonObject slow = new JsonObject().put("demo_tokens_per_second", 100).put("demo_answer_tokens", 30);
      hub(vertx, slow).compose(client -> client.createStream(TestHubs.chat("fan out", 1L)).compose(id -> {
        String events = "/v1/streams/" + id + "/events";
        List<Future<List<SseFrame>>> readers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          readers.add(client.openSse(events, MultiMap.caseInsensitiveMultiMap()).compose(live -> live.ended()));
        }
        return Future.all(readers).map(all -> {
          List<String> first = SseFrame.events(readers.get(0).result()).stream().map(SseFrame::raw).collect(Collectors.toList());
          assertEquals(range(0, 31), SseFrame.offsets(readers.get(0).result()));
          for (Future<List<SseFrame>> reader : readers) {
            assertEquals(first, SseFrame.events(reader.result()).stream().map(SseFrame::raw).collect(Collectors.toList()));
          }
          return all;
        });
      })).onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class SlowClients {

    /** About 4 MB of events, far more than the (small) socket buffers and the server's write queue hold. */
    private static final int TOKENS = 30_000;

    @Test
    void aReaderThatStopsReadingStillGetsEveryOffsetInOrder(Vertx vertx, VertxTestContext ctx) {
      JsonObject fast = new JsonObject().put("demo_tokens_per_second", 100_000).put("demo_answer_tokens", TOKENS)
          .put("demo_max_tokens", TOKENS);
      HttpClientOptions smallBuffer = new HttpClientOptions().setReceiveBufferSize(16 * 1024);
      TestHubs.start(vertx, fast).map(hub -> new HubClient(vertx, hub.port(), smallBuffer)).compose(client -> client.createStream(TestHubs.chat("flood", 1L)).compose(id ->
          client.openSse("/v1/streams/" + id + "/events", MultiMap.caseInsensitiveMultiMap()).compose(live -> {
            live.pause();
            return client.awaitFinished(vertx, id)
                .compose(meta -> TestHubs.delay(vertx, 200))
                .compose(x -> {
                  live.resume();
                  return live.ended();
                });
          })))
          .map(frames -> {
            assertEquals(range(0, TOKENS + 1), SseFrame.offsets(frames));
            return frames;
          })
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Resources {

    @Test
    void creatingAStreamAnswers201AndItsMetaTracksTheLog(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject().put("demo_answer_tokens", 10)).compose(client ->
          client.postJson("/v1/streams", TestHubs.chat("meta", 1L)).compose(created -> {
            assertEquals(201, created.statusCode(), created.bodyAsString());
            JsonObject body = created.bodyAsJsonObject();
            String id = body.getString("stream");
            assertTrue(id.matches("st_[A-Za-z0-9_-]{22}"), id);
            assertEquals("stream", body.getString("object"));
            assertEquals("/v1/streams/" + id + "/events", body.getString("events_url"));
            assertEquals("demo", body.getString("model"));
            assertEquals("anonymous", body.getString("owner"));
            assertFalse(body.getBoolean("finished"));
            return client.awaitFinished(vertx, id).map(meta -> {
              assertEquals(0, meta.getLong("first_offset"));
              assertEquals(12, meta.getLong("next_offset"));
              assertEquals(body.getLong("created"), meta.getLong("created"));
              return meta;
            });
          }))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void modelsAndLivenessAnswer(Vertx vertx, VertxTestContext ctx) {
      hub(vertx, new JsonObject()).compose(client -> client.get("/v1/models").compose(models -> {
        assertEquals(200, models.statusCode());
        JsonObject list = models.bodyAsJsonObject();
        assertEquals("list", list.getString("object"));
        JsonArray data = list.getJsonArray("data");
        assertEquals(1, data.size());
        assertEquals("demo", data.getJsonObject(0).getString("id"));
        assertEquals("model", data.getJsonObject(0).getString("object"));
        return client.get("/v1/models/demo");
      }).compose(one -> {
        assertEquals(200, one.statusCode());
        assertEquals("demo", one.bodyAsJsonObject().getString("id"));
        return client.get("/health/live");
      }).map(live -> {
        assertEquals(200, live.statusCode());
        assertEquals("UP", live.bodyAsJsonObject().getString("status"));
        return live;
      })).onComplete(ctx.succeedingThenComplete());
    }
  }
}
