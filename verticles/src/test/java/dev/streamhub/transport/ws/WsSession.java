package dev.streamhub.transport.ws;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A test client socket on {@code /v1/ws}: everything received, and futures for what is expected
 * next. Frames arrive on an event loop while the test thread waits, so both sides synchronize on
 * the session.
 */
final class WsSession {

  final WebSocket ws;
  private final WebSocketClient client;
  final List<JsonObject> texts = new ArrayList<>();
  final List<Buffer> binaries = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<WsSession> condition, Promise<Void> promise) {}

  private WsSession(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> received(() -> texts.add(new JsonObject(text))));
    ws.binaryMessageHandler(frame -> received(() -> binaries.add(frame)));
    ws.closeHandler(v -> received(() -> closed.tryComplete(ws.closeStatusCode())));
  }

  /**
   * Connects a Vert.x WebSocket client. The session keeps the client reachable: Vert.x closes a
   * client (and its sockets, with 1000) once the garbage collector finds it unreferenced.
   */
  static Future<WsSession> open(Vertx vertx, int port, boolean compression) {
    WebSocketClientOptions options = new WebSocketClientOptions().setTryUsePerMessageCompression(compression).setMaxMessageSize(1 << 20);
    WebSocketClient client = vertx.createWebSocketClient(options);
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws"))
        .map(ws -> new WsSession(client, ws));
  }

  static Future<WsSession> open(Vertx vertx, int port) {
    return open(vertx, port, false);
  }

  WsSession send(JsonObject message) {
    ws.writeTextMessage(message.encode());
    return this;
  }

  /** Completes when {@code condition} holds on what was received. */
  synchronized Future<Void> until(Predicate<WsSession> condition) {
    if (condition.test(this)) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    waiters.add(new Waiter(condition, promise));
    return promise.future();
  }

  /** The first received text message of {@code type}, waiting for it if needed. */
  Future<JsonObject> next(String type) {
    return until(s -> s.first(type) != null).map(v -> first(type));
  }

  /** The close status code, once the hub closed the socket. */
  Future<Short> closed() {
    return closed.future();
  }

  JsonObject first(String type) {
    return texts.stream().filter(m -> type.equals(m.getString("type"))).findFirst().orElse(null);
  }

  /** Text messages that are events (they carry an offset) of {@code stream}. */
  List<JsonObject> events(String stream) {
    List<JsonObject> events = new ArrayList<>();
    for (JsonObject m : texts) {
      if (m.containsKey("offset") && stream.equals(m.getString("stream"))) {
        events.add(m);
      }
    }
    return events;
  }

  boolean ended(String stream) {
    List<JsonObject> events = events(stream);
    if (events.isEmpty()) {
      return false;
    }
    String type = events.get(events.size() - 1).getString("type");
    return type.equals("done") || type.equals("error") || type.equals("cancelled");
  }

  private synchronized void received(Runnable store) {
    store.run();
    check();
  }

  private void check() {
    for (Waiter waiter : List.copyOf(waiters)) {
      if (waiter.condition().test(this)) {
        waiters.remove(waiter);
        waiter.promise().tryComplete();
      }
    }
  }
}
