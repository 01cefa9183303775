package dev.streamhub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The permessage-deflate encoder swap finds Netty's encoder where the handshake of this Vert.x and
 * Netty puts it (an upgrade that moves it fails here), replaces it when on, and leaves it when off.
 * {@code SharedDeflateEncoderTest} checks what a client reads through the hub's encoder.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeflaterSwapTest {

  /** Per switch: whether the swap said it engaged, and whether Netty's encoder was left. */
  private static List<Boolean> upgrade(Vertx vertx, boolean enabled) {
    Promise<List<Boolean>> outcome = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> {
      boolean swapped = DeflaterSwap.create(enabled).apply(rc.request().connection(), ChannelOutboundHandlerAdapter::new);
      outcome.tryComplete(List.of(swapped, DeflaterSwap.hasNettyEncoder(rc.request().connection())));
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true)
        .setPerMessageWebSocketCompressionSupported(true)).requestHandler(router).listen().await();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/ws")).await();
    List<Boolean> result = outcome.future().await();
    client.close().await();
    server.close().await();
    return result;
  }

  @Test
  void switchedOnItReplacesNettysEncoder(Vertx vertx) {
    assertEquals(List.of(true, false), upgrade(vertx, true), "[swapped, Netty's encoder left]");
  }

  @Test
  void switchedOffItLeavesNettysEncoder(Vertx vertx) {
    List<Boolean> outcome = upgrade(vertx, false);
    assertFalse(outcome.get(0));
    assertTrue(outcome.get(1), "the handshake put Netty's encoder where the swap looks for it");
  }
}
