package dev.streamhub.limits.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.TestHubs;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSockets admitted by a limiter that answers later (Redis: a round trip, not a completed
 * future): the upgrade happens after the admission, so the request must still be upgradable then.
 * Within {@code limits_connections_per_ip} a socket is upgraded and reads; over it, an error
 * message {@code rate_limited} and close 1013 (before the fix: a 500, the request's end having
 * been consumed while the admission was pending: "Request has already been read").
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisWsAdmissionTest {

  private RedisServer redis;
  private Vertx vertx;
  private Hub hub;
  private WebSocketClient wsClient;

  @BeforeEach
  void start() {
    redis = RedisServer.startNew(false);
    vertx = Vertx.vertx();
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("log_store", "redis")
        .put("redis_url", redis.url())
        .put("limits_store", "redis")
        .put("limits_connections_per_ip", 2)));
    wsClient = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    try {
      await(hub.stop());
      await(vertx.close());
    } finally {
      redis.close();
    }
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  @Test
  void socketsWithinTheLimitAreUpgradedAndTheNextIsClosed1013() {
    String stream = await(new dev.streamhub.HubClient(vertx, hub.port()).createStream(TestHubs.chat("read over a socket", 3L)));
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Promise<JsonObject> first = Promise.promise();
      WebSocket ws = await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws").map(socket -> {
        socket.textMessageHandler(text -> {
          JsonObject message = new JsonObject(text);
          if (message.containsKey("offset")) {
            first.tryComplete(message);
          }
        });
        socket.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
        return socket;
      }));
      assertEquals(0L, await(first.future()).getLong("offset"), "socket " + i + " reads from offset 0");
      open.add(ws);
    }
    assertEquals(2L, await(new RedisLimiter(vertx, redis.url(), 2000).held("conn|ip:127.0.0.1")));

    List<String> messages = new CopyOnWriteArrayList<>();
    Promise<Short> closed = Promise.promise();
    await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/ws").map(third -> {
      third.textMessageHandler(messages::add);
      third.closeHandler(v -> closed.tryComplete(third.closeStatusCode()));
      return third;
    }));
    assertEquals((short) 1013, await(closed.future()));
    assertEquals("rate_limited", new JsonObject(messages.get(0)).getJsonObject("error").getString("code"));
    open.forEach(ws -> await(ws.close()));
  }

  /** The Realtime WebSocket is admitted the same way: within the limit it is upgraded and greeted, over it closed 1013. */
  @Test
  void realtimeSocketsWithinTheLimitAreUpgradedAndTheNextIsClosed1013() {
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Promise<JsonObject> first = Promise.promise();
      WebSocket ws = await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/realtime?model=demo").map(socket -> {
        socket.textMessageHandler(text -> first.tryComplete(new JsonObject(text)));
        return socket;
      }));
      assertEquals("session.created", await(first.future()).getString("type"), "socket " + i + " is greeted");
      open.add(ws);
    }
    Promise<Short> closed = Promise.promise();
    await(wsClient.connect(hub.port(), "127.0.0.1", "/v1/realtime?model=demo").map(third -> {
      third.closeHandler(v -> closed.tryComplete(third.closeStatusCode()));
      return third;
    }));
    assertEquals((short) 1013, await(closed.future()));
    open.forEach(ws -> await(ws.close()));
  }
}
