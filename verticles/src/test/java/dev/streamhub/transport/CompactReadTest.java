package dev.streamhub.transport;

import static dev.streamhub.transport.PublishedStreamConformanceTest.createExternal;
import static dev.streamhub.transport.PublishedStreamConformanceTest.publish;
import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.transport.CompactReads.Way;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code compact=true}: the catch-up of a read is one {@code snapshot} event (offset N, data
 * {@code {"text","from","to":N}}), then the events from N+1, on native SSE, OpenAI-format SSE,
 * WebSocket and long-poll. Streams are published by the test so that the text is known exactly
 * (4-byte characters, whose surrogate pairs must stay whole).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompactReadTest {

  /** Pieces with 4-byte characters (surrogate pairs in Java), accents, quotes and a newline. */
  private static final List<String> PIECES = List.of("Hé", "llo 😀", " \"wörld\"", "🎉🎉", "\n𝄞 clef", " end");

  private Hub hub;
  private HubClient client;
  private CompactReads reads;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx));
    client = new HubClient(vertx, hub.port());
    reads = new CompactReads(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(reads.close());
    await(client.close());
    await(hub.stop());
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void snapshotTextIsTheDeltasItReplacesFromEveryOffset(Way way) {
    String stream = published(PIECES, done());
    List<Event> logged = logged(stream);
    int last = PIECES.size() - 1;
    for (int k = 0; k <= last; k++) {
      List<JsonObject> got = await(reads.read(way, stream, k, true, Integer.MAX_VALUE));
      String text = String.join("", PIECES.subList(k, PIECES.size()));
      if (way == Way.OPENAI) {
        assertEquals(3, got.size(), got.toString());
        assertSnapshotChunk(got.get(0), text, last, k == 0);
        assertEquals("stop", got.get(1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals(true, got.get(2).getBoolean("done"));
      } else {
        assertEquals(List.of(snapshot(logged, k, last, text), logged.get(last + 1).toJson()), got, "from " + k);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void aReadAtTheEndOfTheLogGetsNoSnapshot(Way way) {
    String stream = published(PIECES, done());
    List<JsonObject> got = await(reads.read(way, stream, PIECES.size(), true, Integer.MAX_VALUE));
    if (way == Way.OPENAI) {
      assertEquals(List.of(String.valueOf(PIECES.size()), String.valueOf(PIECES.size() + 2) /* [DONE]: terminal offset + 2 */),
          got.stream().map(c -> c.getString("_id")).collect(Collectors.toList()));
    } else {
      assertEquals(List.of(logged(stream).get(PIECES.size()).toJson()), got);
    }
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void resumeAfterASnapshotIsExact(Way way) {
    String stream = await(createExternal(client));
    await(publish(client, stream, CompactReads.deltas(PIECES.subList(0, 3))));
    List<JsonObject> first = await(reads.read(way, stream, 0, true, 1));
    long n = way == Way.OPENAI ? Long.parseLong(first.get(0).getString("_id")) : first.get(0).getLong("offset");
    assertEquals(2, n);
    if (way != Way.OPENAI) {
      assertEquals(snapshot(logged(stream), 0, 2, String.join("", PIECES.subList(0, 3))), first.get(0));
    }
    await(publish(client, stream, CompactReads.deltas(PIECES.subList(3, PIECES.size())).add(done())));
    List<Event> logged = logged(stream);

    // resuming after the snapshot continues at N + 1, compact or not
    List<JsonObject> resumed = await(reads.read(way, stream, n + 1, false, Integer.MAX_VALUE));
    List<JsonObject> resumedCompact = await(reads.read(way, stream, n + 1, true, Integer.MAX_VALUE));
    int last = PIECES.size() - 1;
    if (way == Way.OPENAI) {
      assertEquals(List.of("3", "4", "5", "6", "8"), resumed.stream().map(c -> c.getString("_id")).collect(Collectors.toList()));
      assertSnapshotChunk(resumedCompact.get(0), String.join("", PIECES.subList(3, PIECES.size())), last, false);
    } else {
      assertEquals(logged.subList(3, logged.size()).stream().map(Event::toJson).collect(Collectors.toList()), resumed);
      assertEquals(List.of(snapshot(logged, 3, last, String.join("", PIECES.subList(3, PIECES.size()))),
          logged.get(last + 1).toJson()), resumedCompact);
    }
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void aCancelledOrFailedStreamsSnapshotEndsWhereTheLogEndsThenTheTerminalEvent(Way way) {
    JsonObject cancelled = new JsonObject().put("type", "cancelled").put("data", new JsonObject().put("reason", "client"));
    JsonObject error = new JsonObject().put("type", "error")
        .put("data", new JsonObject().put("code", "upstream_error").put("message", "the model fell over"));
    for (JsonObject terminal : List.of(cancelled, error)) {
      String stream = published(PIECES.subList(0, 4), terminal);
      List<Event> logged = logged(stream);
      List<JsonObject> got = await(reads.read(way, stream, 0, true, Integer.MAX_VALUE));
      String text = String.join("", PIECES.subList(0, 4));
      if (way == Way.OPENAI) {
        assertEquals(2, got.size(), got.toString());
        assertSnapshotChunk(got.get(0), text, 3, true);
        String code = terminal == cancelled ? "cancelled" : "upstream_error";
        assertEquals(code, got.get(1).getJsonObject("error").getString("code"));
        assertEquals("6", got.get(1).getString("_id")); // the last chunk: terminal offset + 2
      } else {
        assertEquals(List.of(snapshot(logged, 0, 3, text), logged.get(4).toJson()), got);
      }
    }
  }

  /** A binary event is never merged: the catch-up is a snapshot before it, the event, a snapshot after it. */
  @Test
  void aBinaryEventInTheMiddleSplitsTheSnapshot() {
    JsonObject binary = new JsonObject().put("type", "binary").put("data", new JsonObject().put("base64", "AAEC"));
    JsonArray events = CompactReads.deltas(PIECES.subList(0, 2)).add(binary);
    CompactReads.deltas(PIECES.subList(2, 4)).forEach(events::add);
    String stream = published(List.of(), events.add(done()));
    List<Event> logged = logged(stream);
    assertEquals(List.of(
            snapshot(logged, 0, 1, PIECES.get(0) + PIECES.get(1)),
            logged.get(2).toJson(),
            snapshot(logged, 3, 4, PIECES.get(2) + PIECES.get(3)),
            logged.get(5).toJson()),
        await(reads.read(Way.SSE, stream, 0, true, Integer.MAX_VALUE)));
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void aReaderJoiningALiveStreamAtToken500GetsASnapshotThenEveryLaterOffsetOnce(Way way, Vertx vertx) {
    int total = 1000;
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      tokens.add(i % 7 == 0 ? "😀" : " t" + i);
    }
    String stream = await(createExternal(client));
    await(publish(client, stream, CompactReads.deltas(tokens.subList(0, 500))));
    Future<List<JsonObject>> reading = reads.read(way, stream, 0, true, Integer.MAX_VALUE);
    // the rest arrives live, one token per request, while the reader opens and catches up
    Future<JsonObject> publishing = Future.succeededFuture();
    for (int i = 500; i < total; i++) {
      JsonObject event = PublishApiTest.delta(tokens.get(i));
      publishing = publishing.compose(v -> publish(client, stream, event));
    }
    await(publishing.compose(v -> publish(client, stream, done())));
    List<JsonObject> got = await(reading);

    StringBuilder text = new StringBuilder();
    List<Long> covered = new ArrayList<>();
    if (way == Way.OPENAI) {
      long previous = -1;
      for (JsonObject chunk : got) {
        long id = Long.parseLong(chunk.getString("_id"));
        JsonArray choices = chunk.getJsonArray("choices");
        String content = choices == null || choices.isEmpty() ? null : choices.getJsonObject(0).getJsonObject("delta").getString("content");
        if (content != null) {
          text.append(content);
          assertTrue(id > previous, "ids increase: " + id + " after " + previous);
          previous = id;
        }
      }
      assertTrue(Long.parseLong(got.get(0).getString("_id")) >= 499, "the first chunk is the snapshot");
      assertEquals(String.join("", tokens), text.toString());
      return;
    }
    JsonObject first = got.get(0);
    assertEquals("snapshot", first.getString("type"));
    assertTrue(first.getLong("offset") >= 499, first.encode());
    for (JsonObject e : got) {
      if ("snapshot".equals(e.getString("type"))) {
        JsonObject data = e.getJsonObject("data");
        assertEquals(e.getLong("offset"), data.getLong("to"));
        LongStream.rangeClosed(data.getLong("from"), data.getLong("to")).forEach(covered::add);
        text.append(data.getString("text"));
      } else {
        covered.add(e.getLong("offset"));
        if ("delta".equals(e.getString("type"))) {
          text.append(e.getJsonObject("data").getString("text"));
        }
      }
    }
    assertEquals(LongStream.rangeClosed(0, total).boxed().collect(Collectors.toList()), covered, "every offset once, in order");
    assertEquals(String.join("", tokens), text.toString(), "the final text equals an uninterrupted read");
  }

  /**
   * A 10,000-token finished answer read from 0 with {@code compact=true}: every byte the hub sends
   * (head, framing, envelopes) is at most 1.2 times the UTF-8 size of the text plus 2 KB, on every
   * transport; the same read without {@code compact} is far over it, so the bound can fail.
   */
  @ParameterizedTest
  @EnumSource(Way.class)
  void aFinishedTenThousandTokenAnswerIsLittleMoreThanItsTextOnTheWire(Way way) throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      tokens.add(i % 10 == 0 ? " 😀" : (i % 3 == 0 ? " wörd" : " tok"));
    }
    String stream = await(createExternal(client));
    for (int i = 0; i < tokens.size(); i += 2000) {
      await(publish(client, stream, CompactReads.deltas(tokens.subList(i, i + 2000))));
    }
    await(publish(client, stream, done()));
    String text = String.join("", tokens);
    long textBytes = text.getBytes(StandardCharsets.UTF_8).length;
    long bound = textBytes * 12 / 10 + 2048;

    CompactReads.Wire compact = reads.wire(way, stream, true);
    assertTrue(compact.payload().contains(text.substring(0, 200)), "the text arrived whole");
    assertTrue(compact.bytes() <= bound, way + ": " + compact.bytes() + " bytes on the wire for " + textBytes + " bytes of text (bound " + bound + ")");
    CompactReads.Wire full = reads.wire(way, stream, false);
    assertTrue(full.bytes() > 3 * bound, way + " without compact: " + full.bytes() + " bytes");
  }

  @Test
  void aBadCompactValueIsABadRequest() {
    String stream = published(PIECES, done());
    for (String path : List.of("events", "poll")) {
      var resp = await(client.get("/v1/streams/" + stream + "/" + path + "?compact=yes"));
      assertEquals(400, resp.statusCode());
      assertEquals("bad_request", resp.bodyAsJsonObject().getJsonObject("error").getString("code"));
    }
  }

  @Test
  void aBadCompactOnAWebSocketSubscribeIsABadRequestAndPublishingASnapshotIsRefused(Vertx vertx) {
    String stream = published(PIECES, done());
    io.vertx.core.http.WebSocketClient ws = vertx.createWebSocketClient();
    try {
      String answer = await(ws.connect(WsReader.target(hub.port())).compose(socket -> {
        io.vertx.core.Promise<String> first = io.vertx.core.Promise.promise();
        socket.textMessageHandler(first::tryComplete);
        socket.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("compact", "yes").encode());
        return first.future().eventually(() -> socket.close());
      }));
      JsonObject message = new JsonObject(answer);
      assertEquals("error", message.getString("type"));
      assertEquals("bad_request", message.getJsonObject("error").getString("code"));
    } finally {
      await(ws.close());
    }
    String open = await(createExternal(client));
    var refused = await(client.post("/v1/streams/" + open + "/events", io.vertx.core.buffer.Buffer.buffer(
        new JsonObject().put("type", "snapshot").put("data", new JsonObject().put("text", "x")).encode())));
    assertEquals(400, refused.statusCode());
    assertEquals("bad_request", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  // ---- helpers ----

  private String published(List<String> pieces, Object terminal) {
    String stream = await(createExternal(client));
    JsonArray batch = CompactReads.deltas(pieces);
    if (terminal instanceof JsonArray more) {
      more.forEach(batch::add);
    } else {
      batch.add(terminal);
    }
    await(publish(client, stream, batch));
    return stream;
  }

  private static JsonObject done() {
    return new JsonObject().put("type", "done").put("data", new JsonObject().put("finish_reason", "stop"));
  }

  private List<Event> logged(String stream) {
    return await(hub.log().read(stream, 0, 100_000)).events();
  }

  /** The snapshot the hub must send for the deltas {@code from..to} of the log. */
  private static JsonObject snapshot(List<Event> logged, long from, long to, String text) {
    Event last = logged.get((int) to);
    return new JsonObject()
        .put("stream", last.stream())
        .put("offset", to)
        .put("type", "snapshot")
        .put("data", new JsonObject().put("text", text).put("from", from).put("to", to))
        .put("ts", last.ts());
  }

  private static void assertSnapshotChunk(JsonObject chunk, String text, long to, boolean withRole) {
    assertEquals(String.valueOf(to), chunk.getString("_id"));
    assertEquals("chat.completion.chunk", chunk.getString("object"));
    JsonObject delta = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    assertEquals(text, delta.getString("content"));
    assertEquals(withRole ? "assistant" : null, delta.getString("role"));
  }
}
