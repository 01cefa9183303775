package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.Utf16;
import dev.streamhub.worker.FakeUpstream;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No character is lost or replaced, whoever produced it and however it is read: a text of 1-, 2-,
 * 3- and 4-byte UTF-8 characters, cut at every UTF-16 position (inside surrogate pairs too), comes
 * out whole on native SSE, OpenAI-format SSE, WebSocket and long-poll, read live and replayed. The
 * upstream worker rejoins a pair split across two deltas; the demo model cuts tokens on code
 * points; a publisher's or a prompt's unpaired surrogate is refused with {@code bad_request}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnicodeConformanceTest {

  /** a (1 byte), é (2), € (3), 😀 (4, a surrogate pair), z, 中 (3), 🎉 (4), ß (2). */
  static final String TEXT = "a\u00e9\u20ac\ud83d\ude00z\u4e2d\ud83c\udf89\u00df";

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  /** The ways a client reads a stream: the three transports' native events, and OpenAI chunks. */
  enum Way {
    SSE, WS, POLL, OPENAI;

    /** Every delta's text, in order, read from offset 0 to the end. */
    Future<List<String>> deltas(Vertx vertx, int port, String stream) {
      if (this == OPENAI) {
        HubClient client = new HubClient(vertx, port);
        return client.readSse("/v1/streams/" + stream + "/events?format=openai&include_usage=true")
            .map(resp -> {
              Reference.reachabilityFence(client); // Vert.x 5 shuts down a client the GC finds unreferenced (vert.x#5839)
              List<String> texts = new ArrayList<>();
              for (SseFrame frame : SseFrame.events(resp.frames())) {
                if (frame.data().equals("[DONE]")) {
                  continue;
                }
                JsonArray choices = new JsonObject(frame.data()).getJsonArray("choices");
                String content = choices.isEmpty() ? null : choices.getJsonObject(0).getJsonObject("delta").getString("content");
                if (content != null) {
                  texts.add(content);
                }
              }
              assertEquals("[DONE]", resp.frames().get(resp.frames().size() - 1).data());
              return texts;
            });
      }
      return Transport.valueOf(name()).reader(vertx, port).readAll(stream, 0).map(events -> events.stream()
          .filter(e -> e.getString("type").equals("delta"))
          .map(e -> e.getJsonObject("data").getString("text"))
          .collect(Collectors.toList()));
    }
  }

  /** Reads {@code stream} every way at once (live when it is still being written), and checks each against {@code expected}. */
  private static void readsEveryWay(Vertx vertx, Hub hub, String stream, String expected, String when) {
    List<Future<List<String>>> reads = new ArrayList<>();
    for (Way way : Way.values()) {
      reads.add(way.deltas(vertx, hub.port(), stream));
    }
    for (Way way : Way.values()) {
      List<String> deltas = await(reads.get(way.ordinal()));
      for (String delta : deltas) {
        assertEquals(-1, Utf16.loneSurrogate(delta), way + " " + when + ": a delta with an unpaired surrogate: " + deltas);
      }
      assertEquals(expected, String.join("", deltas), way + " " + when);
    }
  }

  private static void readsEveryWayLiveAndReplayed(Vertx vertx, Hub hub, HubClient client, String stream, String expected) {
    readsEveryWay(vertx, hub, stream, expected, "live");
    await(client.awaitFinished(vertx, stream));
    readsEveryWay(vertx, hub, stream, expected, "replayed");
    List<Event> logged = await(hub.log().read(stream, 0, 10_000)).events();
    String wire = logged.stream().map(Event::wire).collect(Collectors.joining());
    assertFalse(wire.contains("?"), wire);
  }

  @Test
  void anUpstreamSplittingTheTextAtEveryPositionIsDeliveredWhole(Vertx vertx) {
    FakeUpstream fake = await(new FakeUpstream(vertx).start());
    List<Buffer> writes = new ArrayList<>();
    StringBuilder expected = new StringBuilder();
    int tokens = 0;
    for (int cut = 0; cut <= TEXT.length(); cut++) {
      // "a\ud83d" then "\ude00z" at a cut inside a pair: legal JSON, as Python's json.dumps writes it
      writes.add(Buffer.buffer(FakeUpstream.contentFrame(TEXT.substring(0, cut))));
      writes.add(Buffer.buffer(FakeUpstream.contentFrame(TEXT.substring(cut))));
      expected.append(TEXT);
      tokens += 2;
    }
    writes.add(Buffer.buffer(FakeUpstream.endFrames(tokens)));
    fake.script("every cut", writes, 3);
    Hub hub = hub(vertx, FakeUpstream.scriptedOnly(fake));
    HubClient client = new HubClient(vertx, hub.port());

    String stream = await(client.createStream(chat(FakeUpstream.SCRIPTED, "every cut")));

    readsEveryWayLiveAndReplayed(vertx, hub, client, stream, expected.toString());
  }

  @Test
  void theDemoModelCutsTokensOnWholeCharacters(Vertx vertx) {
    Hub hub = hub(vertx, new JsonObject().put("demo_tokens_per_second", 200));
    HubClient client = new HubClient(vertx, hub.port());
    String question = TEXT + " \ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00 x" + TEXT;
    String echo = "You asked: " + question + ".";
    // "You" | " aske" "d:" | " a..." (5 code points) "z..." | " " + 4 emoji, 1 emoji | " xa.." "..." "." | "."
    int echoTokens = 1 + 2 + 2 + 2 + 3 + 1;

    String stream = await(client.createStream(chat("demo", question).put("max_tokens", echoTokens)));

    readsEveryWayLiveAndReplayed(vertx, hub, client, stream, echo);
  }

  @Test
  void theIssuesPromptStreamsItsEmojiWholeOnTheOpenAiEndpoint(Vertx vertx) {
    Hub hub = hub(vertx, new JsonObject());
    HubClient client = new HubClient(vertx, hub.port());
    JsonObject body = chat("demo", "abc\ud83d\ude00").put("max_tokens", 5);

    List<SseFrame> streamed = await(client.openSse(HttpMethod.POST, "/v1/chat/completions",
        MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"), Buffer.buffer(body.copy().put("stream", true).encode()))
        .compose(HubClient.LiveSse::ended));
    JsonObject whole = await(client.postJson("/v1/chat/completions", body)).bodyAsJsonObject();

    List<String> deltas = SseFrame.events(streamed).stream().filter(f -> !f.data().equals("[DONE]"))
        .map(f -> new JsonObject(f.data()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"))
        .filter(c -> c != null && !c.isEmpty()).collect(Collectors.toList());
    assertEquals(List.of("You", " aske", "d:", " abc\ud83d\ude00", "."), deltas);
    assertEquals("You asked: abc\ud83d\ude00.", whole.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
  }

  @Test
  void aPromptWithAnUnpairedSurrogateIsRefusedNamingIt(Vertx vertx) {
    Hub hub = hub(vertx, new JsonObject());
    HubClient client = new HubClient(vertx, hub.port());
    Buffer body = Buffer.buffer(FakeUpstream.asciiJson(chat("demo", "abc\ud83d")));

    var resp = await(client.post("/v1/chat/completions", body));

    assertEquals(400, resp.statusCode(), resp.bodyAsString());
    JsonObject error = resp.bodyAsJsonObject().getJsonObject("error");
    assertEquals("bad_request", error.getString("code"));
    assertEquals("messages[0].content has an unpaired UTF-16 surrogate U+D83D at index 3 (JSON text must be well-formed Unicode:"
        + " write the pair, or the character itself)", error.getString("message"));
  }

  @Test
  void anErrorMessageQuotingAnUnpairedSurrogateSpellsItOut(Vertx vertx) {
    Hub hub = hub(vertx, new JsonObject());
    HubClient client = new HubClient(vertx, hub.port());
    Buffer body = Buffer.buffer(FakeUpstream.asciiJson(chat("gh\ud83dst", "hi")));

    var resp = await(client.post("/v1/chat/completions", body));

    assertEquals(404, resp.statusCode(), resp.bodyAsString());
    assertFalse(resp.bodyAsString().contains("?"), resp.bodyAsString());
    assertEquals("The model 'gh\\uD83Dst' does not exist: no live worker serves it",
        resp.bodyAsJsonObject().getJsonObject("error").getString("message"));
  }

  @Test
  void publishedTextCutAtEveryPositionIsKeptWholeAndAnUnpairedSurrogateRefused(Vertx vertx) {
    Hub hub = hub(vertx, new JsonObject());
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(PublishedStreamConformanceTest.createExternal(client));
    List<Future<List<String>>> live = new ArrayList<>();
    for (Way way : Way.values()) {
      live.add(way.deltas(vertx, hub.port(), stream));
    }
    StringBuilder expected = new StringBuilder();
    long next = 0;
    for (int cut = 0; cut <= TEXT.length(); cut++) {
      JsonArray batch = new JsonArray().add(PublishApiTest.delta(TEXT.substring(0, cut))).add(PublishApiTest.delta(TEXT.substring(cut)));
      var resp = await(client.post("/v1/streams/" + stream + "/events", Buffer.buffer(FakeUpstream.asciiJson(batch))));
      boolean insidePair = cut > 0 && cut < TEXT.length() && Character.isHighSurrogate(TEXT.charAt(cut - 1));
      if (insidePair) {
        assertEquals(400, resp.statusCode(), "cut " + cut + ": " + resp.bodyAsString());
        JsonObject error = resp.bodyAsJsonObject().getJsonObject("error");
        assertEquals("bad_request", error.getString("code"));
        assertTrue(error.getString("message").startsWith("events[0].data.text has an unpaired UTF-16 surrogate U+D8"), error.getString("message"));
      } else {
        assertEquals(200, resp.statusCode(), "cut " + cut + ": " + resp.bodyAsString());
        assertEquals(next, resp.bodyAsJsonObject().getLong("first_offset"));
        next += 2;
        expected.append(TEXT);
      }
    }
    await(PublishedStreamConformanceTest.publish(client, stream, new JsonObject().put("type", "done").put("data", new JsonObject())));
    assertEquals(next + 1, await(hub.log().meta(stream)).nextOffset());

    for (Way way : Way.values()) {
      assertEquals(expected.toString(), String.join("", await(live.get(way.ordinal()))), way + " live");
    }
    readsEveryWay(vertx, hub, stream, expected.toString(), "replayed");
  }

  private Hub hub(Vertx vertx, JsonObject overrides) {
    Hub hub = await(TestHubs.start(vertx, overrides));
    hubs.add(hub);
    return hub;
  }

  private static JsonObject chat(String model, String content) {
    return new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
  }
}
