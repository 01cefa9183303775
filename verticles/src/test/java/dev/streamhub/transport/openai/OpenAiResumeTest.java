package dev.streamhub.transport.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenAI-format resume delivers every chunk exactly once: for a finished stream, a client that
 * last saw any id the stream emitted ({@code Last-Event-ID}, or {@code ?lastEventId=}) gets exactly
 * the chunks an uninterrupted read has after it, ending as that read ends ({@code [DONE]}, or the
 * error), and {@code 204} after the last one; with and without {@code include_usage}; for a model
 * stream (usage then done), a published stream without usage, and a cancelled stream.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiResumeTest {

  private Hub hub;
  private HubClient client;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx, new JsonObject().put("demo_tokens_per_second", 400)));
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  private void resumesFromEveryIdExactlyOnce(String stream) {
    for (boolean includeUsage : new boolean[] {false, true}) {
      String uri = "/v1/streams/" + stream + "/events?format=openai" + (includeUsage ? "&include_usage=true" : "");
      HubClient.SseResponseText whole = await(client.readSse(uri), "reading " + uri);
      assertEquals(200, whole.status());
      List<SseFrame> chunks = SseFrame.events(whole.frames());
      List<String> ids = chunks.stream().map(SseFrame::id).collect(Collectors.toList());
      assertEquals(ids.stream().distinct().collect(Collectors.toList()), ids, "every chunk has its own id: " + ids);

      for (int seen = 0; seen < chunks.size(); seen++) {
        String lastId = chunks.get(seen).id();
        List<String> expected = raw(chunks.subList(seen + 1, chunks.size()));
        for (boolean header : new boolean[] {true, false}) {
          String what = (includeUsage ? "include_usage, " : "") + (header ? "Last-Event-ID: " : "lastEventId=") + lastId + " of " + ids;
          HubClient.SseResponseText resumed = header
              ? await(client.readSse(uri, MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", lastId)), what)
              : await(client.readSse(uri + "&lastEventId=" + lastId), what);
          if (expected.isEmpty()) {
            assertEquals(204, resumed.status(), what);
          } else {
            assertEquals(200, resumed.status(), what);
            assertEquals(expected, raw(SseFrame.events(resumed.frames())), what);
          }
        }
      }
    }
  }

  private static List<String> raw(List<SseFrame> frames) {
    return frames.stream().map(SseFrame::raw).collect(Collectors.toList());
  }

  @Test
  void aModelStreamWithUsage(Vertx vertx) {
    String stream = await(client.createStream(TestHubs.chat("resume me", 4L).put("max_tokens", 6)));
    await(client.awaitFinished(vertx, stream));
    HubClient.SseResponseText usage = await(client.readSse("/v1/streams/" + stream + "/events?format=openai&include_usage=true"));
    List<String> data = SseFrame.events(usage.frames()).stream().map(SseFrame::data).collect(Collectors.toList());
    assertEquals("[DONE]", data.get(data.size() - 1));
    assertNotEquals(null, new JsonObject(data.get(data.size() - 2)).getJsonObject("usage"), "the usage chunk comes before [DONE]");

    resumesFromEveryIdExactlyOnce(stream);
  }

  @Test
  void aPublishedStreamWithoutUsage() {
    String stream = await(client.postJson("/v1/streams", new JsonObject().put("publisher", "external"))).bodyAsJsonObject().getString("stream");
    JsonArray events = new JsonArray();
    for (String text : List.of("a", "b", "c")) {
      events.add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", text)));
    }
    events.add(new JsonObject().put("type", "done").put("data", new JsonObject().put("finish_reason", "stop")));
    assertEquals(200, await(client.post("/v1/streams/" + stream + "/events", Buffer.buffer(events.encode()))).statusCode());

    resumesFromEveryIdExactlyOnce(stream);
  }

  @Test
  void aCancelledStream(Vertx vertx) {
    await(hub.stop());
    hub = await(TestHubs.start(vertx, new JsonObject().put("demo_tokens_per_second", 100).put("demo_answer_tokens", 400)));
    client = new HubClient(vertx, hub.port());
    String stream = await(client.createStream(TestHubs.chat("cancel me", 2L).put("max_tokens", 400)), "creating");
    await(TestHubs.eventually(vertx, 10, 500, () -> client.get("/v1/streams/" + stream)
        .map(resp -> resp.bodyAsJsonObject().getLong("next_offset") >= 3)), "3 events");
    var cancelled = await(client.delete("/v1/streams/" + stream), "cancelling");
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    await(client.awaitFinished(vertx, stream), "finishing");
    List<SseFrame> chunks = SseFrame.events(await(client.readSse("/v1/streams/" + stream + "/events?format=openai"), "reading").frames());
    assertEquals("cancelled", new JsonObject(chunks.get(chunks.size() - 1).data()).getJsonObject("error").getString("code"));

    resumesFromEveryIdExactlyOnce(stream);
  }

  @Test
  void anIdPastTheLastChunkIsRefusedAsBeyondTheEnd(Vertx vertx) {
    String stream = await(client.createStream(TestHubs.chat("short", 1L).put("max_tokens", 3)));
    await(client.awaitFinished(vertx, stream));
    List<SseFrame> chunks = SseFrame.events(await(client.readSse("/v1/streams/" + stream + "/events?format=openai")).frames());
    long last = Long.parseLong(chunks.get(chunks.size() - 1).id());

    HubClient.SseResponseText past = await(client.readSse("/v1/streams/" + stream + "/events?format=openai",
        MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", Long.toString(last + 1))));

    assertEquals(400, past.status(), past.body());
    assertEquals("bad_offset", new JsonObject(past.body()).getJsonObject("error").getString("code"));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  /** Awaits {@code future}, failing with {@code what} if it takes over 20 s. */
  private static <T> T await(Future<T> future, String what) {
    return future.timeout(20, TimeUnit.SECONDS)
        .recover(err -> Future.failedFuture(new AssertionError(what + ": " + err, err))).await();
  }
}
