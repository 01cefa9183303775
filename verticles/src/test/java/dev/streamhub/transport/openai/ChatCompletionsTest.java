package dev.streamhub.transport.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /v1/chat/completions} read by a standard SSE parser (okhttp-sse): OpenAI's chunk
 * shape, {@code [DONE]}, the usage chunk, and the same content as the non-streaming answer.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatCompletionsTest {

  private static final MediaType JSON = MediaType.get("application/json");

  private HubClient client;
  private OkHttpClient okhttp;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    okhttp = new OkHttpClient.Builder().readTimeout(10, TimeUnit.SECONDS).build();
    TestHubs.start(vertx).onComplete(ctx.succeeding(hub -> {
      client = new HubClient(vertx, hub.port());
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopOkHttp() {
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
  }

  /** What okhttp-sse saw: the response headers and every event (id, type, data). */
  record Parsed(Response response, List<List<String>> events) {
    List<String> ids() {
      return events.stream().map(e -> e.get(0)).collect(Collectors.toList());
    }

    List<String> data() {
      return events.stream().map(e -> e.get(2)).collect(Collectors.toList());
    }
  }

  private Future<Parsed> streamWithOkHttp(JsonObject body) {
    Request request = new Request.Builder()
        .url("http://127.0.0.1:" + client.port() + "/v1/chat/completions")
        .post(RequestBody.create(body.encode(), JSON))
        .build();
    CompletableFuture<Parsed> done = new CompletableFuture<>();
    List<List<String>> events = Collections.synchronizedList(new ArrayList<>());
    Response[] opened = new Response[1];
    EventSources.createFactory(okhttp).newEventSource(request, new EventSourceListener() {
      @Override
      public void onOpen(EventSource source, Response response) {
        opened[0] = response;
      }

      @Override
      public void onEvent(EventSource source, String id, String type, String data) {
        events.add(java.util.Arrays.asList(id, type, data));
      }

      @Override
      public void onClosed(EventSource source) {
        done.complete(new Parsed(opened[0], List.copyOf(events)));
      }

      @Override
      public void onFailure(EventSource source, Throwable t, Response response) {
        done.completeExceptionally(t != null ? t : new AssertionError("SSE failed: " + response));
      }
    });
    return Future.fromCompletionStage(done);
  }

  private Future<JsonObject> whole(JsonObject body) {
    return client.postJson("/v1/chat/completions", body.copy().put("stream", false)).map(resp -> {
      assertEquals(200, resp.statusCode(), resp.bodyAsString());
      assertTrue(resp.getHeader("Content-Type").startsWith("application/json"));
      JsonObject completion = resp.bodyAsJsonObject();
      assertEquals("chatcmpl-" + resp.getHeader("X-Stream-Id"), completion.getString("id"));
      return completion;
    });
  }

  /** Checks every chunk's envelope and yields the content deltas in order. */
  private static List<String> checkChunks(String streamId, List<JsonObject> chunks) {
    List<String> content = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      JsonObject chunk = chunks.get(i);
      assertEquals("chatcmpl-" + streamId, chunk.getString("id"));
      assertEquals("chat.completion.chunk", chunk.getString("object"));
      assertEquals("demo", chunk.getString("model"));
      assertEquals(chunks.get(0).getLong("created"), chunk.getLong("created"));
      JsonArray choices = chunk.getJsonArray("choices");
      assertEquals(1, choices.size(), chunk.encode());
      JsonObject choice = choices.getJsonObject(0);
      assertEquals(0, choice.getInteger("index"));
      JsonObject delta = choice.getJsonObject("delta");
      if (i == 0) {
        assertEquals("assistant", delta.getString("role"), "the first chunk carries the role");
      } else {
        assertFalse(delta.containsKey("role"), chunk.encode());
      }
      if (i < chunks.size() - 1) {
        assertNull(choice.getValue("finish_reason"), chunk.encode());
        assertTrue(delta.getString("content").length() > 0, chunk.encode());
        content.add(delta.getString("content"));
      } else {
        assertEquals(new JsonObject(), delta, "the last chunk has no content");
        assertEquals("stop", choice.getString("finish_reason"));
      }
    }
    return content;
  }

  @Nested
  class Streaming {

    @Test
    void chunksHaveOpenAiShapeEndInDoneAndMatchTheNonStreamingAnswer(VertxTestContext ctx) {
      JsonObject body = TestHubs.chat("what is a stream hub?", 42L).put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true));
      streamWithOkHttp(body).compose(parsed -> {
        Response response = parsed.response();
        assertEquals(200, response.code());
        assertEquals("text/event-stream; charset=utf-8", response.header("Content-Type"));
        assertEquals("no-cache", response.header("Cache-Control"));
        assertEquals("no", response.header("X-Accel-Buffering"));
        String streamId = response.header("X-Stream-Id");
        assertTrue(streamId.matches("st_[A-Za-z0-9_-]{22}"), streamId);

        List<String> data = parsed.data();
        int n = data.size();
        assertEquals("[DONE]", data.get(n - 1));
        JsonObject usageChunk = new JsonObject(data.get(n - 2));
        assertEquals(new JsonArray(), usageChunk.getJsonArray("choices"));
        assertEquals("chatcmpl-" + streamId, usageChunk.getString("id"));
        List<JsonObject> chunks = data.subList(0, n - 2).stream().map(JsonObject::new).collect(Collectors.toList());
        List<String> content = checkChunks(streamId, chunks);
        int tokens = content.size();
        JsonObject usage = usageChunk.getJsonObject("usage");
        assertEquals(tokens, usage.getInteger("completion_tokens"));
        assertEquals(usage.getInteger("prompt_tokens") + tokens, usage.getInteger("total_tokens"));

        // deltas carry their offsets 0..tokens-1; the usage event (tokens) folds into the chunks of done
        // (offset d = tokens+1): finish d, usage d+1, [DONE] d+2, each its own id so that resume is exact
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tokens; i++) {
          ids.add(Integer.toString(i));
        }
        ids.addAll(List.of(Integer.toString(tokens + 1), Integer.toString(tokens + 2), Integer.toString(tokens + 3)));
        assertEquals(ids, parsed.ids());
        assertTrue(parsed.events().stream().allMatch(e -> e.get(1) == null), "OpenAI chunks carry no event: field");

        return whole(TestHubs.chat("what is a stream hub?", 42L)).map(completion -> {
          JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
          assertEquals("chat.completion", completion.getString("object"));
          assertEquals("assistant", choice.getJsonObject("message").getString("role"));
          assertEquals(String.join("", content), choice.getJsonObject("message").getString("content"));
          assertEquals("stop", choice.getString("finish_reason"));
          assertEquals(usage, completion.getJsonObject("usage"));
          return completion;
        });
      }).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk(VertxTestContext ctx) {
      streamWithOkHttp(TestHubs.chat("no usage please", 5L).put("stream", true)).map(parsed -> {
        List<String> data = parsed.data();
        assertEquals("[DONE]", data.get(data.size() - 1));
        List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).collect(Collectors.toList());
        checkChunks(parsed.response().header("X-Stream-Id"), chunks);
        return parsed;
      }).onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class ReadingAgain {

    @Test
    void theSameChunksCanBeReadAndResumedAtTheEventsEndpointInOpenAiFormat(VertxTestContext ctx) {
      JsonObject body = TestHubs.chat("read me twice", 9L).put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true));
      client.openSse(io.vertx.core.http.HttpMethod.POST, "/v1/chat/completions",
              MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"), body.toBuffer())
          .compose(live -> live.ended().compose(original -> {
            String id = live.headers().get("X-Stream-Id");
            String events = "/v1/streams/" + id + "/events?format=openai&include_usage=true";
            List<String> raw = SseFrame.events(original).stream().map(SseFrame::raw).collect(Collectors.toList());
            return client.readSse(events).compose(again -> {
              assertEquals(raw, SseFrame.events(again.frames()).stream().map(SseFrame::raw).collect(Collectors.toList()));
              return client.readSse(events, MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", "9"));
            }).map(resumed -> {
              List<String> tail = raw.subList(10, raw.size());
              assertEquals(tail, SseFrame.events(resumed.frames()).stream().map(SseFrame::raw).collect(Collectors.toList()));
              return resumed;
            });
          }))
          .onComplete(ctx.succeedingThenComplete());
    }
  }
}
