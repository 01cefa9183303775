package dev.streamhub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket write-queue swap finds the Vert.x internals it expects (a Vert.x upgrade that moves
 * them fails here, not silently in production memory), and a swapped socket still writes every
 * message in order and closes with its status.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectWritesTest {

  @Test
  void anUpgradedSocketGetsTheDirectQueueAndStillEchoesInOrderAndCloses(Vertx vertx) {
    Promise<Boolean> applied = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> {
      applied.tryComplete(DirectWrites.create(true).apply(ws));
      ws.textMessageHandler(text -> {
        if (text.equals("bye")) {
          ws.close((short) 4000, "done");
        } else {
          ws.writeTextMessage("echo " + text);
        }
      });
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true))
        .requestHandler(router).listen().await();

    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/ws")).await();
    List<String> received = new ArrayList<>();
    Promise<Void> allEchoed = Promise.promise();
    Promise<Short> closed = Promise.promise();
    ws.textMessageHandler(text -> {
      received.add(text);
      if (received.size() == 200) {
        allEchoed.complete();
      }
    });
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    for (int i = 0; i < 200; i++) {
      ws.writeTextMessage(Integer.toString(i));
    }

    assertEquals(true, applied.future().await());
    allEchoed.future().await();
    assertEquals(IntStream.range(0, 200).mapToObj(i -> "echo " + i).collect(Collectors.toList()), received);
    ws.writeTextMessage("bye");
    assertEquals((short) 4000, closed.future().await());
    client.close().await();
    server.close().await();
  }

  @Test
  void theSwapIsAvailableOnTheVertxOfTheBuildAndDoesNothingWhenSwitchedOff(Vertx vertx) {
    assertTrue(DirectWrites.available(), "this Vert.x lacks the internals ws_direct_writes swaps");
    Promise<Boolean> applied = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> {
      applied.tryComplete(DirectWrites.create(false).apply(ws));
      ws.writeTextMessage("still writes");
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true))
        .requestHandler(router).listen().await();
    WebSocketClient client = vertx.createWebSocketClient();
    Promise<String> first = Promise.promise();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/ws"))
        .onSuccess(ws -> ws.textMessageHandler(first::tryComplete));
    assertFalse(applied.future().await());
    assertEquals("still writes", first.future().await());
    client.close().await();
    server.close().await();
  }
}
