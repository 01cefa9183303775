package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stats.EdgeStats;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per transport, a reading connection is counted once while it is open and uncounted however it
 * ends: after a clean close, an abrupt one (the TCP connection dropped, no WebSocket close frame),
 * and a close during a drain. {@code /v1/cluster}'s {@code connections} is this count (a WebSocket
 * once added one for good).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCountTest {

  /** A completion of 40 tokens at 20 tokens/s takes 2 s: long enough to drop it or drain mid-way. */
  private static final JsonObject CONFIG = new JsonObject()
      .put("demo_tokens_per_second", 20)
      .put("demo_answer_tokens", 40)
      .put("drain_timeout_ms", 1000);

  /** One open reading connection, as a client holds it. */
  /**
   * An open reading connection. {@code client} is the Vert.x client that made it, held here because
   * Vert.x 5 shuts down a client the garbage collector finds unreferenced, closing its connections
   * (vert.x#5839); null where the connection's owner holds its client.
   */
  private record Open(Future<?> ended, Supplier<Future<?>> finish, Supplier<Future<?>> abort, Object client) {}

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aCleanCloseUncountsTheConnection(Transport transport, Vertx vertx, VertxTestContext ctx) {
    run(vertx, transport, (hub, open) -> open.finish().get().compose(x -> open.ended().otherwiseEmpty())).onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anAbruptCloseUncountsTheConnection(Transport transport, Vertx vertx, VertxTestContext ctx) {
    run(vertx, transport, (hub, open) -> open.abort().get()).onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aCloseDuringADrainUncountsTheConnection(Transport transport, Vertx vertx, VertxTestContext ctx) {
    run(vertx, transport, (hub, open) -> hub.drain().compose(x -> open.ended().otherwiseEmpty())).onComplete(ctx.succeedingThenComplete());
  }

  private interface Closing {
    Future<?> close(Hub hub, Open open);
  }

  /** Opens one connection of {@code transport}, waits until it is counted, closes it, waits until it is not. */
  private Future<Void> run(Vertx vertx, Transport transport, Closing closing) {
    return TestHubs.start(vertx, CONFIG).compose(hub -> {
      HubClient client = new HubClient(vertx, hub.port());
      EdgeStats stats = hub.stats();
      long before = stats.connections(transport.wire());
      long totalBefore = stats.connections();
      return external(client).compose(stream -> open(vertx, hub, client, transport, stream))
          .compose(open -> counted(vertx, stats, transport, before + 1).map(open))
          .compose(open -> closing.close(hub, open))
          .compose(closed -> counted(vertx, stats, transport, before))
          .map(x -> {
            assertEquals(totalBefore, stats.connections(), stats.connectionsByTransport().toString());
            return null;
          });
    });
  }

  private static Future<Void> counted(Vertx vertx, EdgeStats stats, Transport transport, long expected) {
    return TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(stats.connections(transport.wire()) == expected))
        .recover(err -> Future.failedFuture(new AssertionError(transport.wire() + " connections: expected " + expected
            + ", got " + stats.connectionsByTransport())));
  }

  private static Future<String> external(HubClient client) {
    return client.postJson("/v1/streams", new JsonObject().put("publisher", "external")).map(resp -> {
      assertEquals(201, resp.statusCode(), resp.bodyAsString());
      return resp.bodyAsJsonObject().getString("stream");
    });
  }

  private static Future<?> publish(HubClient client, String stream, JsonObject event) {
    return client.post("/v1/streams/" + stream + "/events", event.toBuffer()).map(resp -> {
      assertEquals(200, resp.statusCode(), resp.bodyAsString());
      return null;
    });
  }

  private static Future<Open> open(Vertx vertx, Hub hub, HubClient client, Transport transport, String stream) {
    Supplier<Future<?>> done = () -> publish(client, stream, new JsonObject().put("type", "done"));
    switch (transport) {
      case SSE:
      case OPENAI_SSE:
        String query = transport == Transport.SSE ? "" : "?format=openai";
        return client.openSse("/v1/streams/" + stream + "/events" + query, MultiMap.caseInsensitiveMultiMap())
            .map(live -> new Open(live.ended(), done, live::disconnect, null));
      case LONG_POLL:
        Supplier<Future<?>> delta = () -> publish(client, stream, new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "hi")));
        return held(vertx, hub, HttpMethod.GET, "/v1/streams/" + stream + "/poll?from=0&timeout=30", null, delta);
      case COMPLETION:
        JsonObject body = TestHubs.chat("count me", 1L).put("stream", false);
        return held(vertx, hub, HttpMethod.POST, "/v1/chat/completions", body.toBuffer(), Future::succeededFuture);
      default:
        return webSocket(vertx, hub, stream);
    }
  }

  /** An HTTP request held open by the hub; aborting closes its TCP connection. */
  private static Future<Open> held(Vertx vertx, Hub hub, HttpMethod method, String uri, Buffer body, Supplier<Future<?>> finish) {
    HttpClient http = vertx.createHttpClient();
    return TestHubs.onContext(vertx, () -> http.request(method, hub.port(), "127.0.0.1", uri).map(req -> {
      req.putHeader("Content-Type", "application/json");
      Future<?> ended = (body == null ? req.send() : req.send(body)).compose(resp -> resp.body());
      return new Open(ended, finish, () -> abort(req), http);
    }));
  }

  private static Future<?> abort(HttpClientRequest req) {
    return req.connection().close();
  }

  /**
   * A WebSocket subscribed to {@code stream}. Finishing closes it cleanly (close frame); aborting
   * drops the TCP connection of a second, raw socket that did its handshake by hand and sent no close
   * frame, so the two are different sockets: the raw one is the one counted when aborting.
   */
  private static Future<Open> webSocket(Vertx vertx, Hub hub, String stream) {
    JsonObject subscribe = new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0);
    Promise<Open> opened = Promise.promise();
    WebSocketClient client = vertx.createWebSocketClient();
    client
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI("/v1/ws"))
        .onSuccess(ws -> {
          Promise<Void> closed = Promise.promise();
          ws.closeHandler(v -> closed.tryComplete());
          ws.writeTextMessage(subscribe.encode());
          opened.complete(new Open(closed.future(), () -> ws.close(), () -> rawAbortOf(vertx, hub, ws, subscribe), client));
        })
        .onFailure(opened::fail);
    return opened.future();
  }

  /**
   * The abrupt case for a WebSocket: the socket opened above is closed cleanly first (and must be
   * uncounted), then a raw socket does the handshake by hand, subscribes, is counted, and its TCP
   * connection is dropped without a close frame.
   */
  private static Future<?> rawAbortOf(Vertx vertx, Hub hub, WebSocket first, JsonObject subscribe) {
    EdgeStats stats = hub.stats();
    return first.close()
        .compose(x -> counted(vertx, stats, Transport.WEBSOCKET, 0))
        .compose(x -> vertx.createNetClient().connect(hub.port(), "127.0.0.1"))
        .compose(socket -> handshake(socket).map(socket))
        .compose(socket -> {
          socket.write(maskedText(subscribe.encode()));
          return counted(vertx, stats, Transport.WEBSOCKET, 1).compose(x -> socket.close());
        });
  }

  private static Future<Void> handshake(NetSocket socket) {
    Promise<Void> upgraded = Promise.promise();
    Buffer head = Buffer.buffer();
    socket.handler(bytes -> {
      head.appendBuffer(bytes);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (text.contains("\r\n\r\n")) {
        if (text.startsWith("HTTP/1.1 101")) {
          upgraded.tryComplete();
        } else {
          upgraded.tryFail(new AssertionError("no upgrade: " + text));
        }
      }
    });
    socket.write("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return upgraded.future();
  }

  /** One client text frame (RFC 6455 5.2: FIN, opcode 1, masked), for a payload under 126 bytes. */
  private static Buffer maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    if (payload.length >= 126) {
      throw new IllegalArgumentException("payload too long for a one-byte length: " + payload.length);
    }
    byte[] mask = {1, 2, 3, 4};
    Buffer frame = Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) (0x80 | payload.length)).appendBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.appendByte((byte) (payload[i] ^ mask[i % 4]));
    }
    return frame;
  }
}
