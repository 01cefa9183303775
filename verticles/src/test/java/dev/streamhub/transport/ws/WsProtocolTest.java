package dev.streamhub.transport.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code /v1/ws} protocol: messages, multiplexing, binary frames, close codes, bad input. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsProtocolTest {

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  @Nested
  class Streams {

    @Test
    void createStreamsTheNewGenerationOnTheSameSocket(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      WsSession session = await(WsSession.open(vertx, hub.port()));

      session.send(TestHubs.chat("over websocket", 3L).put("type", "response.create").put("request_id", "r1").put("max_tokens", 12));
      JsonObject created = await(session.next("stream.created"));
      String stream = created.getString("stream");
      await(session.until(s -> s.ended(stream)));

      assertEquals("r1", created.getString("request_id"));
      assertEquals("demo", created.getString("model"));
      assertEquals(logged(hub, stream), encode(session.events(stream)));
      assertEquals("done", last(session.events(stream)).getString("type"));
    }

    @Test
    void multiplexesAGenerationCreatedWhileAnotherIsStreaming(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("demo_tokens_per_second", 50));
      WsSession session = await(WsSession.open(vertx, hub.port()));

      session.send(TestHubs.chat("first", 1L).put("type", "response.create").put("request_id", "a").put("max_tokens", 20));
      String first = await(session.next("stream.created")).getString("stream");
      await(session.until(s -> s.events(first).size() >= 2));
      session.send(TestHubs.chat("interrupt", 2L).put("type", "response.create").put("request_id", "b").put("max_tokens", 5));
      await(session.until(s -> s.texts.stream().filter(m -> "stream.created".equals(m.getString("type"))).count() == 2));
      String second;
      synchronized (session) { // the event loop appends to texts under this lock (WsSession.received) while events arrive
        second = session.texts.stream().filter(m -> "b".equals(m.getString("request_id"))).findFirst().orElseThrow().getString("stream");
      }
      await(session.until(s -> s.ended(first) && s.ended(second)));

      assertTrue(indexOf(session, second, 0) < indexOf(session, first, session.events(first).size() - 1),
          "the second stream's first event arrives while the first is still streaming");
      assertEquals(logged(hub, first), encode(session.events(first)));
      assertEquals(logged(hub, second), encode(session.events(second)));
    }

    @Test
    void unsubscribeStopsOneStreamAndReportsWhereToResume(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("demo_tokens_per_second", 50));
      HubClient client = new HubClient(vertx, hub.port());
      // 100 tokens at 50/s: 2 s, so the stream is still running when the unsubscribe arrives on a loaded machine
      // (25 tokens ended first under a load average of 47-115, and the unsubscribe was then answered not_subscribed)
      String slow = await(client.createStream(TestHubs.chat("slow", 1L).put("max_tokens", 100)));
      WsSession session = await(WsSession.open(vertx, hub.port()));

      session.send(new JsonObject().put("type", "stream.subscribe").put("stream", slow).put("from", 0));
      await(session.until(s -> s.events(slow).size() >= 2));
      session.send(new JsonObject().put("type", "stream.unsubscribe").put("stream", slow));
      JsonObject unsubscribed = await(session.next("stream.unsubscribed"));
      await(client.awaitFinished(vertx, slow));
      session.send(new JsonObject().put("type", "ping").put("id", "after"));
      await(session.next("pong"));

      List<JsonObject> events = session.events(slow);
      assertEquals(unsubscribed.getLong("next"), events.size(), "next is the first offset not delivered");
      assertEquals(LongStream.range(0, events.size()).boxed().collect(Collectors.toList()), offsets(events));
      assertTrue(events.size() < logged(hub, slow).size(), "nothing after the unsubscribe");
    }

    @Test
    void cancelIsAcknowledgedAndEndsTheStreamWithCancelled(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("demo_tokens_per_second", 40));
      WsSession session = await(WsSession.open(vertx, hub.port()));
      session.send(TestHubs.chat("cancel", 1L).put("type", "response.create").put("max_tokens", 300));
      String stream = await(session.next("stream.created")).getString("stream");
      await(session.until(s -> s.events(stream).size() >= 2));

      session.send(new JsonObject().put("type", "response.cancel").put("stream", stream));
      JsonObject ack = await(session.next("response.cancelled"));
      await(session.until(s -> s.ended(stream)));

      JsonObject last = last(session.events(stream));
      assertEquals("cancelled", last.getString("type"));
      assertEquals(ack.getLong("cancelled_offset"), last.getLong("offset"));
    }

    @Test
    void pingIsAnsweredWithPongCarryingItsId(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      WsSession session = await(WsSession.open(vertx, hub.port()));
      session.send(new JsonObject().put("type", "ping").put("id", 7));
      assertEquals(new JsonObject().put("type", "pong").put("id", 7), await(session.next("pong")));
    }

    @Test
    void binaryEventsGoOutAsBinaryFramesAndAsBase64OverSse(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = StreamIds.next();
      byte[] audio = "RIFF....WAVEfmt pcm bytes \u0000\u0001\u00ff".getBytes(StandardCharsets.ISO_8859_1);
      StreamWriter writer = new StreamWriter(hub.log(), hub.broker());
      await(hub.log().create(StreamMeta.fresh(stream, "anonymous", "demo", System.currentTimeMillis())));
      await(writer.write(stream, List.of(
          NewEvent.delta("hello"),
          new NewEvent(EventType.BINARY, new JsonObject().put("base64", Base64.getEncoder().encodeToString(audio))),
          NewEvent.done("stop"))));

      WsSession session = await(WsSession.open(vertx, hub.port()));
      session.send(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0));
      await(session.until(s -> s.ended(stream)));

      assertEquals(List.of(0L, 2L), offsets(session.events(stream)));
      assertEquals(1, session.binaries.size());
      Buffer frame = session.binaries.get(0);
      assertEquals(BinaryFrames.VERSION, frame.getByte(0));
      assertEquals(stream, BinaryFrames.stream(frame));
      assertEquals(1L, BinaryFrames.offset(frame));
      assertArrayEquals(audio, BinaryFrames.payload(frame).getBytes());

      List<SseFrame> sse = SseFrame.events(await(new HubClient(vertx, hub.port()).readSse("/v1/streams/" + stream + "/events")).frames());
      JsonObject binary = new JsonObject(sse.get(1).data());
      assertEquals("binary", sse.get(1).event());
      assertArrayEquals(audio, Base64.getDecoder().decode(binary.getJsonObject("data").getString("base64")));
    }

    @Test
    void negotiatesPermessageDeflateWhenTheClientOffersIt(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      WsSession session = await(WsSession.open(vertx, hub.port(), true));
      String extensions = session.ws.headers().get("sec-websocket-extensions");
      assertNotNull(extensions, "the handshake answer names the negotiated extension");
      assertTrue(extensions.contains("permessage-deflate"), extensions);

      session.send(TestHubs.chat("compressed", 9L).put("type", "response.create").put("max_tokens", 8));
      String stream = await(session.next("stream.created")).getString("stream");
      await(session.until(s -> s.ended(stream)));
      assertEquals(logged(hub, stream), encode(session.events(stream)));
    }
  }

  @Nested
  class BadInput {

    @Test
    void eachBadMessageGetsItsErrorCodeAndTheSocketStaysUsable(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      WsSession session = await(WsSession.open(vertx, hub.port()));
      List<String> expected = List.of("bad_request", "bad_request", "bad_request", "bad_request", "bad_request",
          "bad_offset", "bad_offset", "stream_not_found", "model_not_found", "bad_request");

      session.ws.writeTextMessage("{not json");
      session.ws.writeTextMessage("[1,2]");
      session.send(new JsonObject().put("type", "stream.teleport"));
      session.send(new JsonObject().put("type", "stream.subscribe"));
      session.send(new JsonObject().put("type", "response.create").put("messages", "hi"));
      session.send(new JsonObject().put("type", "stream.subscribe").put("stream", StreamIds.next()).put("from", -1));
      session.send(new JsonObject().put("type", "stream.subscribe").put("stream", StreamIds.next()).put("from", "ten"));
      session.send(new JsonObject().put("type", "stream.subscribe").put("stream", StreamIds.next()).put("from", 0));
      session.send(TestHubs.chat("x", null).put("model", "no-such-model").put("type", "response.create"));
      session.ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
      await(session.until(s -> errors(s).size() == expected.size()));

      assertEquals(expected, errors(session));
      session.send(new JsonObject().put("type", "ping").put("id", "still-open"));
      assertEquals("still-open", await(session.next("pong")).getString("id"));
    }

    @Test
    void aTextMessageOverTheLimitClosesWith1009AndSparesOtherSockets(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("ws_max_message_bytes", 1024).put("demo_tokens_per_second", 100));
      WsSession bystander = await(WsSession.open(vertx, hub.port()));
      bystander.send(TestHubs.chat("bystander", 1L).put("type", "response.create").put("max_tokens", 20));
      String stream = await(bystander.next("stream.created")).getString("stream");
      WsSession oneFrame = await(WsSession.open(vertx, hub.port()));
      WsSession fragmented = await(WsSession.open(vertx, hub.port()));

      oneFrame.ws.writeTextMessage("x".repeat(2000));
      fragmented.ws.writeFrame(WebSocketFrame.textFrame("y".repeat(800), false));
      fragmented.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(800)), true));

      assertEquals((short) 1009, await(oneFrame.closed()));
      assertEquals((short) 1009, await(fragmented.closed()));
      await(bystander.until(s -> s.ended(stream)));
      assertEquals(logged(hub, stream), encode(bystander.events(stream)));
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsClosed(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("ws_ping_interval_ms", 50).put("ws_idle_timeout_ms", 300));
      NetSocket socket = await(vertx.createNetClient().connect(hub.port(), "127.0.0.1"));
      Buffer received = Buffer.buffer();
      Promise<Void> closeFrameSeen = Promise.promise();
      socket.handler(bytes -> {
        received.appendBuffer(bytes);
        if (indexOfCloseFrame(received) >= 0) {
          closeFrameSeen.tryComplete();
        }
      });
      socket.write("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

      await(closeFrameSeen.future());
      int close = indexOfCloseFrame(received);
      assertEquals(1001, received.getUnsignedShort(close + 2), "close status: going away");
    }
  }

  /** Index of a server close frame (FIN + opcode 8, unmasked) after the 101 response, or -1. */
  private static int indexOfCloseFrame(Buffer received) {
    String text = received.toString(StandardCharsets.ISO_8859_1);
    int headersEnd = text.indexOf("\r\n\r\n");
    if (headersEnd < 0) {
      return -1;
    }
    int i = headersEnd + 4;
    while (i + 1 < received.length()) {
      int opcode = received.getByte(i) & 0x0f;
      int length = received.getByte(i + 1) & 0x7f;
      if (opcode == 8 && i + 4 <= received.length()) {
        return i;
      }
      i += 2 + length;
    }
    return -1;
  }

  private static List<String> errors(WsSession session) {
    return session.texts.stream()
        .filter(m -> "error".equals(m.getString("type")) && !m.containsKey("offset"))
        .map(m -> m.getJsonObject("error").getString("code"))
        .collect(Collectors.toList());
  }

  private static int indexOf(WsSession session, String stream, long offset) {
    for (int i = 0; i < session.texts.size(); i++) {
      JsonObject m = session.texts.get(i);
      if (stream.equals(m.getString("stream")) && Long.valueOf(offset).equals(m.getLong("offset"))) {
        return i;
      }
    }
    throw new AssertionError("no offset " + offset + " of " + stream);
  }

  private Hub hub(Vertx vertx, JsonObject overrides) {
    Hub hub = await(TestHubs.start(vertx, overrides));
    hubs.add(hub);
    return hub;
  }

  private static List<String> logged(Hub hub, String stream) {
    return await(hub.log().read(stream, 0, 100_000)).events().stream()
        .map(Event::toJson).map(JsonObject::encode).collect(Collectors.toList());
  }

  private static List<String> encode(List<JsonObject> events) {
    return events.stream().map(JsonObject::encode).collect(Collectors.toList());
  }

  private static List<Long> offsets(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
  }

  private static JsonObject last(List<JsonObject> events) {
    return events.get(events.size() - 1);
  }

  static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }
}
