package dev.streamhub.bridge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Deque;

/** A raw TCP bridge client for tests: writes frames (4-byte length + JSON) and awaits the next frame. */
final class BridgeFrames {

  private final NetSocket socket;
  private final Deque<JsonObject> received = new ArrayDeque<>();
  private Buffer pending = Buffer.buffer();
  private Promise<JsonObject> waiter;

  private BridgeFrames(NetSocket socket) {
    this.socket = socket;
    socket.handler(this::onData);
  }

  static Future<BridgeFrames> connect(Vertx vertx, int port) {
    return vertx.createNetClient().connect(port, "127.0.0.1").map(BridgeFrames::new);
  }

  BridgeFrames write(JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
    return this;
  }

  /** The next frame the hub sent. */
  synchronized Future<JsonObject> next() {
    if (!received.isEmpty()) {
      return Future.succeededFuture(received.poll());
    }
    waiter = Promise.promise();
    return waiter.future();
  }

  Future<Void> close() {
    return socket.close();
  }

  private synchronized void onData(Buffer chunk) {
    pending.appendBuffer(chunk);
    while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
      int length = pending.getInt(0);
      received.add(new JsonObject(pending.getBuffer(4, 4 + length)));
      pending = pending.getBuffer(4 + length, pending.length());
    }
    if (waiter != null && !received.isEmpty()) {
      Promise<JsonObject> w = waiter;
      waiter = null;
      w.complete(received.poll());
    }
  }
}
