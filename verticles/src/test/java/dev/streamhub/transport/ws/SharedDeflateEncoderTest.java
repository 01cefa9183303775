package dev.streamhub.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.config.WsConfig;
import dev.streamhub.internal.DeflaterSwap;
import dev.streamhub.transport.PrimedDeflater;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * permessage-deflate from one shared deflater decodes with Netty's own client decoder (context
 * takeover): messages of two sockets interleaved on one deflater, empty, binary and fragmented
 * messages; and a real upgrade gets the encoder swapped in and a Vert.x client reads every message.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedDeflateEncoderTest {

  private static final String EVENT = "{\"type\":\"delta\",\"stream\":\"st_abcdefghijklmnopqrstu\",\"offset\":%d,\"data\":{\"text\":\" word %d\"}}";

  @Test
  void interleavedSocketsOnOneDeflaterEachDecodeWithNettysClientDecoder() {
    PrimedDeflater.Shared shared = new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION);
    Socket a = new Socket(shared);
    Socket b = new Socket(shared);
    for (int i = 0; i < 300; i++) {
      String ta = String.format(EVENT, i, i);
      String tb = i % 5 == 0 ? "" : "y".repeat(i * 37 % 5000);
      assertEquals(ta, text(a.roundTrip(new TextWebSocketFrame(ta))), "socket A message " + i);
      assertEquals(tb, text(b.roundTrip(new TextWebSocketFrame(tb))), "socket B message " + i);
    }
    byte[] audio = new byte[3000];
    for (int i = 0; i < audio.length; i++) {
      audio[i] = (byte) (i * 31);
    }
    WebSocketFrame binary = a.roundTrip(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(audio)));
    assertTrue(binary instanceof BinaryWebSocketFrame);
    assertEquals(Unpooled.wrappedBuffer(audio), binary.content());
    binary.release();
  }

  @Test
  void aFragmentedMessageIsOneCompressedMessageWithRsv1OnItsFirstFrameOnly() {
    Socket socket = new Socket(new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION));
    socket.encoder.writeOutbound(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer(String.format(EVENT, 1, 1), StandardCharsets.UTF_8)));
    socket.encoder.writeOutbound(new ContinuationWebSocketFrame(false, 0, Unpooled.copiedBuffer(" and more", StandardCharsets.UTF_8)));
    socket.encoder.writeOutbound(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer(" and the end", StandardCharsets.UTF_8)));
    List<WebSocketFrame> wire = new ArrayList<>();
    WebSocketFrame frame;
    while ((frame = socket.encoder.readOutbound()) != null) {
      wire.add(frame);
    }
    assertEquals(3, wire.size());
    assertEquals(WebSocketExtension.RSV1, wire.get(0).rsv());
    assertEquals(0, wire.get(1).rsv());
    assertEquals(0, wire.get(2).rsv());

    StringBuilder text = new StringBuilder();
    for (WebSocketFrame compressed : wire) {
      socket.decoder.writeInbound(compressed);
      WebSocketFrame plain = socket.decoder.readInbound();
      text.append(plain.content().toString(StandardCharsets.UTF_8));
      plain.release();
    }
    assertEquals(String.format(EVENT, 1, 1) + " and more and the end", text.toString());
  }

  @Test
  void anUpgradedSocketThatNegotiatedDeflateGetsTheSharedEncoderAndAClientReadsEveryMessage(Vertx vertx) {
    PrimedDeflater.Shared shared = new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION);
    Promise<Boolean> swapped = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> {
      swapped.tryComplete(DeflaterSwap.create(true).apply(rc.request().connection(), () -> new SharedDeflateEncoder(shared)));
      for (int i = 0; i < 200; i++) {
        ws.writeTextMessage(String.format(EVENT, i, i));
      }
    }));
    HttpServerOptions options = WsHandler.configure(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true),
        new WsConfig(64 * 1024, 20_000, 60_000, true));
    HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen().await();

    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    List<String> received = new ArrayList<>();
    Promise<Void> all = Promise.promise();
    // The server writes at once on upgrade: the handler is set before the connect, not after its
    // await (a handler set from the test thread after the connect missed the first messages on a
    // loaded machine, and the test waited for ever).
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> {
      received.add(text);
      if (received.size() == 200) {
        all.complete();
      }
    });
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/ws")).await();

    assertTrue(swapped.future().await(), "the handshake put Netty's encoder where it was expected");
    String extensions = ws.headers().get("sec-websocket-extensions");
    assertNotNull(extensions);
    assertTrue(extensions.contains("permessage-deflate"), extensions);
    all.future().await();
    assertEquals(IntStream.range(0, 200).mapToObj(i -> String.format(EVENT, i, i)).collect(Collectors.toList()), received);
    client.close().await();
    server.close().await();
  }

  /** One socket: the shared encoder on the hub's side, Netty's permessage-deflate decoder on the client's. */
  private static final class Socket {
    final EmbeddedChannel encoder;
    final EmbeddedChannel decoder;

    Socket(PrimedDeflater.Shared shared) {
      encoder = new EmbeddedChannel(new SharedDeflateEncoder(shared));
      WebSocketClientExtension extension = new PerMessageDeflateClientExtensionHandshaker()
          .handshakeExtension(new WebSocketExtensionData("permessage-deflate", Map.of()));
      decoder = new EmbeddedChannel(extension.newExtensionDecoder());
    }

    WebSocketFrame roundTrip(WebSocketFrame frame) {
      encoder.writeOutbound(frame);
      WebSocketFrame compressed = encoder.readOutbound();
      assertEquals(WebSocketExtension.RSV1, compressed.rsv() & WebSocketExtension.RSV1);
      decoder.writeInbound(compressed);
      return decoder.readInbound();
    }
  }

  /** The text of a decoded frame, which it releases. */
  private static String text(WebSocketFrame frame) {
    assertTrue(frame instanceof TextWebSocketFrame, frame.toString());
    String text = frame.content().toString(StandardCharsets.UTF_8);
    frame.release();
    return text;
  }
}
