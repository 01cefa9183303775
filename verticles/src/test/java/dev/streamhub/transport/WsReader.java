package dev.streamhub.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Reads over {@code /v1/ws} with {@code stream.subscribe}, one socket per read. */
final class WsReader implements StreamReader {

  private final WebSocketClient client;
  private final int port;

  WsReader(Vertx vertx, int port) {
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20));
    this.port = port;
  }

  static WebSocketConnectOptions target(int port) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws");
  }

  private Future<WebSocket> connect() {
    return client.connect(target(port));
  }

  @Override
  public Future<List<JsonObject>> readAll(String stream, long from) {
    return kept(read(stream, from, Integer.MAX_VALUE, 0, null));
  }

  @Override
  public Future<List<JsonObject>> readAllAfter(String stream, long from, int count, Supplier<Future<?>> thenDo) {
    return kept(read(stream, from, Integer.MAX_VALUE, count, thenDo));
  }

  @Override
  public Future<List<JsonObject>> readSome(String stream, long from, int count) {
    return kept(read(stream, from, count, 0, null));
  }

  @Override
  public Future<Refusal> refusal(String stream, String from) {
    return kept(connect().compose(ws -> {
      Promise<Refusal> refused = Promise.promise();
      ws.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if ("error".equals(message.getString("type")) && !message.containsKey("offset")) {
          refused.tryComplete(new Refusal(0, message.getJsonObject("error").getString("code")));
        } else {
          refused.tryFail(new AssertionError("expected an error message, got " + text));
        }
      });
      Object fromValue = from.matches("-?\\d+") ? (Object) Long.parseLong(from) : from;
      ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", fromValue).encode());
      return refused.future().eventually(() -> ws.close());
    }));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  /** Reads until {@code count} events or the terminal one; runs {@code thenDo} (if given) once {@code after} events arrived. */
  private Future<List<JsonObject>> read(String stream, long from, int count, int after, Supplier<Future<?>> thenDo) {
    return connect().compose(ws -> {
      List<JsonObject> events = new ArrayList<>();
      Promise<List<JsonObject>> done = Promise.promise();
      ws.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if (!message.containsKey("offset")) {
          if ("error".equals(message.getString("type"))) {
            done.tryFail(new AssertionError("ws error: " + text));
          }
          return;
        }
        events.add(message);
        if (thenDo != null && events.size() == after) {
          thenDo.get().onFailure(done::tryFail);
        }
        if (events.size() == count || isTerminal(message.getString("type"))) {
          done.tryComplete(List.copyOf(events));
        }
      });
      ws.closeHandler(v -> done.tryFail(new AssertionError("socket closed after " + events.size() + " events")));
      ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", from).encode());
      return done.future().compose(result -> disconnect(ws).map(result));
    });
  }

  /** Hangs up, ignoring anything still in flight. */
  private static Future<Void> disconnect(WebSocket ws) {
    ws.closeHandler(null);
    ws.textMessageHandler(null);
    return ws.close().recover(err -> Future.succeededFuture());
  }

  static boolean isTerminal(String type) {
    return "done".equals(type) || "error".equals(type) || "cancelled".equals(type);
  }

  /**
   * {@code read} with this reader (and so its client) reachable until the read ends: Vert.x 5 shuts
   * down a client the garbage collector finds unreferenced and closes its connections, even in the
   * middle of a read (vert.x#5839), and a test often drops its reader as soon as it has the future.
   */
  private <T> Future<T> kept(Future<T> read) {
    return read.andThen(done -> Reference.reachabilityFence(this));
  }
}
