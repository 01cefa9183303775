package dev.streamhub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.RawHttp;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.config.SseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Accept-Encoding: gzip} on SSE (native and chat completions) and long-poll: the response is
 * gzip'd, and SSE still flushes every event as it happens, so a client inflating the stream as it
 * comes decodes the first event long before the stream ends. Read with a raw socket and
 * {@link GZIPInputStream}, so nothing between the hub and the test buffers or decodes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GzipTest {

  /** At 20 tokens/s, about two seconds of stream after the first event. */
  private static final int TOKENS = 40;
  private static final JsonObject SLOW = new JsonObject()
      .put("demo_tokens_per_second", 20).put("demo_answer_tokens", TOKENS).put("demo_max_tokens", TOKENS);
  private static final Map<String, String> GZIP = Map.of("Accept-Encoding", "gzip");

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  @Nested
  class Gzipped {

    @Test
    void nativeSseIsGzippedAndTheFirstEventDecodesWhileTheStreamIsStillRunning(Vertx vertx) throws IOException {
      Hub hub = hub(vertx, SLOW);
      HubClient client = new HubClient(vertx, hub.port());
      String stream = await(client.createStream(TestHubs.chat("gzip me", 1L)));

      try (RawHttp http = RawHttp.connect(hub.port(), 0)) {
        RawHttp.Head head = http.send("GET", "/v1/streams/" + stream + "/events", GZIP, null).readHead();
        assertEquals(200, head.status());
        assertEquals("gzip", head.header("Content-Encoding"));
        assertEquals("text/event-stream; charset=utf-8", head.header("Content-Type"));
        assertEquals("chunked", head.header("Transfer-Encoding"));
        InputStream sse = new GZIPInputStream(http.body(head), 512);

        List<SseFrame> frames = new ArrayList<>();
        SseFrame first = nextEvent(sse, frames);
        JsonObject meta = await(client.get("/v1/streams/" + stream)).bodyAsJsonObject();
        readToTheEnd(sse, frames);

        assertEquals("0", first.id());
        assertFalse(meta.getBoolean("finished"), "the first event was decoded while the stream was still running: " + meta);
        assertTrue(meta.getLong("next_offset") < TOKENS, "most of the stream was still to come: " + meta);
        assertEquals("retry: " + SseConfig.DEFAULT_RETRY_MS, frames.get(0).raw());
        assertEquals(range(0, TOKENS + 1), SseFrame.offsets(frames));
        assertEquals("done", frames.get(frames.size() - 1).event());
      }
    }

    @Test
    void chatCompletionsStreamIsGzippedAndTheFirstChunkDecodesWhileTheStreamIsStillRunning(Vertx vertx) throws IOException {
      Hub hub = hub(vertx, SLOW);
      HubClient client = new HubClient(vertx, hub.port());
      byte[] body = TestHubs.chat("gzip me too", 2L).put("stream", true).encode().getBytes(StandardCharsets.UTF_8);

      try (RawHttp http = RawHttp.connect(hub.port(), 0)) {
        RawHttp.Head head = http.send("POST", "/v1/chat/completions",
            Map.of("Accept-Encoding", "gzip", "Content-Type", "application/json"), body).readHead();
        assertEquals(200, head.status());
        assertEquals("gzip", head.header("Content-Encoding"));
        String stream = head.header("X-Stream-Id");
        assertNotNull(stream);
        InputStream sse = new GZIPInputStream(http.body(head), 512);

        List<SseFrame> frames = new ArrayList<>();
        SseFrame first = nextEvent(sse, frames);
        JsonObject meta = await(client.get("/v1/streams/" + stream)).bodyAsJsonObject();
        readToTheEnd(sse, frames);

        assertEquals("0", first.id());
        assertEquals("assistant", new JsonObject(first.data()).getJsonArray("choices").getJsonObject(0)
            .getJsonObject("delta").getString("role"));
        assertFalse(meta.getBoolean("finished"), "the first chunk was decoded while the stream was still running: " + meta);
        assertTrue(meta.getLong("next_offset") < TOKENS, "most of the stream was still to come: " + meta);
        List<Long> ids = new ArrayList<>(range(0, TOKENS - 1));
        ids.add((long) TOKENS + 1);
        ids.add((long) TOKENS + 3);
        assertEquals(ids, SseFrame.offsets(frames), "deltas, then the finish chunk (done offset d) and [DONE] (d + 2); no usage chunk");
        assertEquals("[DONE]", frames.get(frames.size() - 1).data());
      }
    }

    @Test
    void aLongPollAnswerIsGzippedAndInflatesToThePlainAnswer(Vertx vertx) throws IOException {
      Hub hub = hub(vertx, new JsonObject().put("demo_answer_tokens", 10));
      HubClient client = new HubClient(vertx, hub.port());
      String stream = await(client.createStream(TestHubs.chat("poll me", 3L)));
      await(client.awaitFinished(vertx, stream));
      String poll = "/v1/streams/" + stream + "/poll?from=0&timeout=5";
      String plain = await(client.get(poll)).bodyAsString();

      try (RawHttp http = RawHttp.connect(hub.port(), 0)) {
        RawHttp.Head head = http.send("GET", poll, GZIP, null).readHead();
        assertEquals(200, head.status());
        assertEquals("gzip", head.header("Content-Encoding"));
        assertEquals("application/json", head.header("Content-Type"));
        byte[] inflated = new GZIPInputStream(http.body(head)).readAllBytes();

        assertEquals(plain, new String(inflated, StandardCharsets.UTF_8));
        JsonObject answer = new JsonObject(plain);
        assertEquals(range(0, 11), answer.getJsonArray("events").stream()
            .map(e -> ((JsonObject) e).getLong("offset")).collect(Collectors.toList()));
        assertEquals(12L, answer.getLong("next"));
        assertTrue(answer.getBoolean("done"));
      }
    }
  }

  @Nested
  class Plain {

    @Test
    void withoutAcceptEncodingSseAndLongPollAreNotCompressed(Vertx vertx) throws IOException {
      Hub hub = hub(vertx, new JsonObject().put("demo_answer_tokens", 5));
      HubClient client = new HubClient(vertx, hub.port());
      String stream = await(client.createStream(TestHubs.chat("plain", 4L)));
      await(client.awaitFinished(vertx, stream));

      try (RawHttp http = RawHttp.connect(hub.port(), 0)) {
        RawHttp.Head head = http.send("GET", "/v1/streams/" + stream + "/events", Map.of(), null).readHead();
        assertEquals(200, head.status());
        assertNull(head.header("Content-Encoding"));
        String body = new String(http.body(head).readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.startsWith("retry: " + SseConfig.DEFAULT_RETRY_MS + "\n\nid: 0\nevent: delta\n"), body);
        assertEquals(range(0, 6), SseFrame.offsets(SseFrame.parseAll(body)));
      }
      try (RawHttp http = RawHttp.connect(hub.port(), 0)) {
        RawHttp.Head head = http.send("GET", "/v1/streams/" + stream + "/poll?from=6&timeout=5", Map.of(), null).readHead();
        assertEquals(200, head.status());
        assertNull(head.header("Content-Encoding"));
        JsonObject answer = new JsonObject(new String(http.body(head).readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(List.of(6L), answer.getJsonArray("events").stream()
            .map(e -> ((JsonObject) e).getLong("offset")).collect(Collectors.toList()));
        assertEquals(7L, answer.getLong("next"));
        assertTrue(answer.getBoolean("done"));
      }
    }
  }

  /** Reads frames into {@code frames} until one carries an event, which it returns. */
  private static SseFrame nextEvent(InputStream sse, List<SseFrame> frames) throws IOException {
    while (true) {
      SseFrame frame = nextFrame(sse);
      if (frame == null) {
        throw new AssertionError("the stream ended before its first event: " + frames);
      }
      frames.add(frame);
      if (frame.isEvent()) {
        return frame;
      }
    }
  }

  private static void readToTheEnd(InputStream sse, List<SseFrame> frames) throws IOException {
    SseFrame frame;
    while ((frame = nextFrame(sse)) != null) {
      frames.add(frame);
    }
  }

  /** The next frame (up to its blank line), decoding only as far as it; null at the end of the stream. */
  private static SseFrame nextFrame(InputStream sse) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int previous = -1;
    int b;
    while ((b = sse.read()) >= 0) {
      if (b == '\n' && previous == '\n') {
        byte[] frame = bytes.toByteArray();
        return SseFrame.parse(new String(frame, 0, frame.length - 1, StandardCharsets.UTF_8));
      }
      bytes.write(b);
      previous = b;
    }
    if (bytes.size() > 0) {
      throw new AssertionError("the stream ended inside a frame: " + bytes.toString(StandardCharsets.UTF_8));
    }
    return null;
  }

  private Hub hub(Vertx vertx, JsonObject overrides) {
    Hub hub = await(TestHubs.start(vertx, overrides));
    hubs.add(hub);
    return hub;
  }

  private static List<Long> range(long from, long toInclusive) {
    return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }
}
