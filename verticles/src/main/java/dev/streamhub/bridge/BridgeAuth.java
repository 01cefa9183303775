package dev.streamhub.bridge;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's gate: every frame a worker sends (send, publish, register, unregister, ping) must
 * carry the worker token in {@code headers.token}, or it is refused with an {@code err} frame. The
 * token is removed before the frame reaches the event bus, so it is never forwarded. Then hands
 * accepted events to {@code next} (the model registry).
 */
final class BridgeAuth implements Handler<BridgeEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeAuth.class);
  static final String TOKEN_HEADER = "token";

  private final byte[] token;
  private final Handler<BridgeEvent> next;

  BridgeAuth(String token, Handler<BridgeEvent> next) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.next = next;
  }

  @Override
  public void handle(BridgeEvent event) {
    if (!isInbound(event.type())) {
      next.handle(event);
      event.tryComplete(true);
      return;
    }
    JsonObject headers = event.getRawMessage().getValue("headers") instanceof JsonObject
        ? event.getRawMessage().getJsonObject("headers") : null;
    Object given = headers == null ? null : headers.remove(TOKEN_HEADER);
    boolean ok = given instanceof String && MessageDigest.isEqual(token, ((String) given).getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      LOG.warn("bridge: refused a {} frame from {} without a valid worker token", event.type(), event.socket().remoteAddress());
      event.tryComplete(false);
      return;
    }
    next.handle(event);
    event.tryComplete(true);
  }

  private static boolean isInbound(BridgeEventType type) {
    return type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH || type == BridgeEventType.REGISTER
        || type == BridgeEventType.UNREGISTER || type == BridgeEventType.SOCKET_PING;
  }
}
