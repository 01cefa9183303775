package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
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
 * WebSockets that authenticate with their first message: closed 1008 at {@code auth_ws_timeout_ms};
 * at most {@code auth_ws_max_pending} of them wait at once per node, whatever IP they come from
 * (forwarded by a trusted proxy or not): one more gets {@code rate_limited} and close 1013 at once;
 * once authenticated, a socket holds its consumer's connection slot
 * ({@code limits_connections_per_consumer}). A bystander stream ends intact alongside.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsFirstMessageAuthTest {

  private static final long AUTH_TIMEOUT_MS = 1500;
  private static final int MAX_PENDING = 3;

  private Vertx vertx;
  private Hub hub;
  /**
   * One WebSocket client for the whole test, held in a field: Vert.x 5 shuts down a client the
   * garbage collector finds unreferenced, closing its sockets, even one whose handshake is under way
   * (vert.x#5839: "Connection closed while handshake in process" on CI).
   */
  private WebSocketClient wsClient;
  private Bystander bystander;
  private final List<WebSocket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("auth_hs256_secret", Jwts.SECRET)
        .put("auth_ws_timeout_ms", AUTH_TIMEOUT_MS)
        .put("auth_ws_max_pending", MAX_PENDING)
        .put("trusted_proxies", new JsonArray().add("127.0.0.1/32"))
        .put("limits_connections_per_consumer", 1)
        .put("demo_answer_tokens", 40).put("demo_tokens_per_second", 400)));
    bystander = Bystander.start(new HubClient(vertx, hub.port()), Jwts.hs256(Jwts.claims("carol", "read create", 300, null)));
  }

  @AfterEach
  void stop() {
    try {
      bystander.assertIntact();
    } finally {
      sockets.forEach(ws -> ws.close());
      await(hub.stop());
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  /** A socket with its messages and its close status (-1: closed without one), handlers set before any frame. */
  private record Client(WebSocket ws, List<String> messages, Future<Short> closed, long openedNanos) {
    String firstCode() {
      return new JsonObject(messages.get(0)).getJsonObject("error").getString("code");
    }
  }

  private Client connect(String forwardedFor) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI("/v1/ws");
    if (forwardedFor != null) {
      options.addHeader("X-Forwarded-For", forwardedFor);
    }
    List<String> messages = new CopyOnWriteArrayList<>();
    Promise<Short> closed = Promise.promise();
    long opened = System.nanoTime();
    WebSocket ws = await(wsClient().connect(options).map(socket -> {
      socket.textMessageHandler(messages::add);
      socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode() == null ? (short) -1 : socket.closeStatusCode()));
      return socket;
    }));
    sockets.add(ws);
    return new Client(ws, messages, closed.future(), opened);
  }

  private int pending() {
    return NodeAuth.of(hub.vertx()).ws().pending();
  }

  @Test
  void anUnauthenticatedSocketIsClosed1008AtTheDeadline() {
    Client silent = connect(null);
    assertEquals((short) 1008, await(silent.closed()));
    long ms = (System.nanoTime() - silent.openedNanos()) / 1_000_000;
    assertTrue(ms >= AUTH_TIMEOUT_MS - 100 && ms < AUTH_TIMEOUT_MS + 10_000, "closed at the deadline, after " + ms + " ms");
    assertEquals("unauthorized", silent.firstCode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(pending() == 0)));
  }

  @Test
  void waitingSocketsAreBoundedPerNodeWhateverTheirIps() {
    // three "IPs" through the trusted proxy, then the proxy's own: the fourth waiting socket is one too many
    List<Client> waiting = new ArrayList<>();
    for (int i = 0; i < MAX_PENDING; i++) {
      waiting.add(connect(i == MAX_PENDING - 1 ? null : "198.51.100." + i));
    }
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(pending() == MAX_PENDING)));
    for (String ip : new String[] {"203.0.113.7", null}) {
      Client over = connect(ip);
      assertEquals((short) 1013, await(over.closed()));
      long ms = (System.nanoTime() - over.openedNanos()) / 1_000_000;
      assertTrue(ms < AUTH_TIMEOUT_MS, "refused at once, not at the deadline: " + ms + " ms");
      assertEquals("rate_limited", over.firstCode());
      assertEquals(MAX_PENDING, pending());
    }
    // a waiting socket that authenticates frees its place; the others are closed 1008 at their deadline
    Client first = waiting.get(0);
    first.ws().writeTextMessage(new JsonObject().put("type", "auth")
        .put("token", Jwts.hs256(Jwts.claims("alice", "read", 300, null))).encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(!first.messages().isEmpty())));
    assertEquals("authenticated", new JsonObject(first.messages().get(0)).getString("type"));
    for (Client left : waiting.subList(1, MAX_PENDING)) {
      assertEquals((short) 1008, await(left.closed()));
    }
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(pending() == 0)));
    Client again = connect("203.0.113.7");
    again.ws().writeTextMessage(new JsonObject().put("type", "auth")
        .put("token", Jwts.hs256(Jwts.claims("bob", "read", 300, null))).encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(!again.messages().isEmpty())));
    assertEquals("authenticated", new JsonObject(again.messages().get(0)).getString("type"));
  }

  @Test
  void aFirstMessageTokenTakesItsConsumersConnectionSlot() {
    String alice = Jwts.hs256(Jwts.claims("alice", "read", 300, null));
    Client first = connect(null);
    first.ws().writeTextMessage(new JsonObject().put("type", "auth").put("token", alice).encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(!first.messages().isEmpty())));
    assertEquals("authenticated", new JsonObject(first.messages().get(0)).getString("type"));

    Client second = connect("198.51.100.9");
    second.ws().writeTextMessage(new JsonObject().put("type", "auth").put("token", alice).encode());
    assertEquals((short) 1013, await(second.closed()));
    assertEquals("authenticated", new JsonObject(second.messages().get(0)).getString("type"));
    assertEquals("rate_limited", new JsonObject(second.messages().get(1)).getJsonObject("error").getString("code"));

    await(first.ws().close());
    var limiter = dev.streamhub.limits.NodeLimits.of(hub.vertx()).limiter();
    await(TestHubs.eventually(vertx, 20, 250, () -> limiter.held("conn|sub:alice").map(held -> held == 0)));
    Client third = connect(null);
    third.ws().writeTextMessage(new JsonObject().put("type", "auth").put("token", alice).encode());
    third.ws().writeTextMessage(new JsonObject().put("type", "ping").put("id", "p").encode());
    await(TestHubs.eventually(vertx, 20, 250, () -> Future.succeededFuture(third.messages().size() >= 2)));
    assertEquals("authenticated", new JsonObject(third.messages().get(0)).getString("type"));
    assertEquals("pong", new JsonObject(third.messages().get(1)).getString("type"), "the slot came back: " + third.messages());
  }

  private WebSocketClient wsClient() {
    if (wsClient == null) {
      wsClient = vertx.createWebSocketClient();
    }
    return wsClient;
  }
}
