package dev.streamhub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.net.impl.ConnectionBase;
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
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

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
    return upgrade(vertx, enabled, true, pipeline -> { });
  }

  /**
   * As above; {@code offer}: whether the client offers permessage-deflate; {@code tamper} changes the
   * pipeline before the swap looks (another Netty or Vert.x putting the encoder elsewhere).
   */
  private static List<Boolean> upgrade(Vertx vertx, boolean enabled, boolean offer, Consumer<ChannelPipeline> tamper) {
    Promise<List<Boolean>> outcome = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> {
      tamper.accept(((ConnectionBase) rc.request().connection()).channelHandlerContext().pipeline());
      boolean swapped = DeflaterSwap.create(enabled).apply(rc.request().connection(), ChannelOutboundHandlerAdapter::new);
      outcome.tryComplete(List.of(swapped, DeflaterSwap.hasNettyEncoder(rc.request().connection())));
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true)
        .setPerMessageWebSocketCompressionSupported(true)).requestHandler(router).listen().await();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(offer));
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

  @Test
  void whereTheEncoderIsNotFoundTheSocketKeepsItsOwnAndOneWarningSaysSo(Vertx vertx) {
    ListAppender<ILoggingEvent> log = capture();
    try {
      // the encoder moved away (as on a Netty or Vert.x that puts it elsewhere): no swap, a warning once
      Consumer<ChannelPipeline> moved = pipeline -> {
        for (Map.Entry<String, ChannelHandler> handler : pipeline) {
          if (handler.getValue().getClass().getName().equals(DeflaterSwap.NETTY_DEFLATE_ENCODER)) {
            pipeline.remove(handler.getKey());
            return;
          }
        }
        throw new AssertionError("no Netty encoder to move: " + pipeline.names());
      };
      assertEquals(List.of(false, false), upgrade(vertx, true, true, moved), "[swapped, Netty's encoder left]");
      assertEquals(List.of(false, false), upgrade(vertx, true, true, moved));
      List<String> warnings = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).toList();
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).startsWith("ws_shared_deflater: WebSockets keep Netty's permessage-deflate encoder"), warnings.get(0));
      assertTrue(warnings.get(0).contains("negotiated but the pipeline has no " + DeflaterSwap.NETTY_DEFLATE_ENCODER), warnings.get(0));
    } finally {
      release(log);
    }
  }

  @Test
  void aClientThatOffersNoCompressionIsNoMiss(Vertx vertx) {
    ListAppender<ILoggingEvent> log = capture();
    try {
      assertEquals(List.of(false, false), upgrade(vertx, true, false, pipeline -> { }));
      assertEquals(List.of(), log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).toList());
    } finally {
      release(log);
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    DeflaterSwap.MISS_LOGGED.set(false);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(DeflaterSwap.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(DeflaterSwap.class)).detachAppender(appender);
    DeflaterSwap.MISS_LOGGED.set(false);
  }
}
