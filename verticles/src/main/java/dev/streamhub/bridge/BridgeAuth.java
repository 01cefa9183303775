package dev.streamhub.bridge;

import dev.streamhub.auth.NodeAuth;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's gate: every frame a worker sends (send, publish, register, unregister, ping) must
 * carry a worker credential in {@code headers.token}, or it is refused with an {@code err} frame:
 * a JWT with the {@code publish} scope (when auth is on), or the shared {@code bridge_token}
 * (when configured and {@code auth_bridge_token_allowed}). The token is removed before the frame
 * reaches the event bus, so it is never forwarded, and it is never logged. Then hands accepted
 * events to {@code next} (the model registry).
 */
final class BridgeAuth implements Handler<BridgeEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeAuth.class);
  static final String TOKEN_HEADER = "token";

  private final Vertx vertx;
  private final byte[] secret;
  private final Handler<BridgeEvent> next;

  /** @param secret the shared worker secret, or null when only JWTs are taken */
  BridgeAuth(Vertx vertx, String secret, Handler<BridgeEvent> next) {
    this.vertx = vertx;
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
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
    accepted(given).onComplete(ar -> {
      if (ar.failed() || !ar.result()) {
        LOG.warn("bridge: refused a {} frame from {} without a valid worker token", event.type(), event.socket().remoteAddress());
        event.tryComplete(false);
        return;
      }
      next.handle(event);
      event.tryComplete(true);
    });
  }

  private Future<Boolean> accepted(Object given) {
    if (!(given instanceof String)) {
      return Future.succeededFuture(false);
    }
    String token = (String) given;
    NodeAuth auth = NodeAuth.of(vertx);
    if (secret != null && (auth == null || !auth.enabled() || auth.config().workerSecretAllowed())
        && MessageDigest.isEqual(secret, token.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(true);
    }
    if (auth == null || !auth.enabled()) {
      return Future.succeededFuture(false);
    }
    return auth.verifier().verify(token).map((Principal principal) -> principal.has(Scope.PUBLISH));
  }

  private static boolean isInbound(BridgeEventType type) {
    return type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH || type == BridgeEventType.REGISTER
        || type == BridgeEventType.UNREGISTER || type == BridgeEventType.SOCKET_PING;
  }
}
