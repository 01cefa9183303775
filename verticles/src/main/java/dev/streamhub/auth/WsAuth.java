package dev.streamhub.auth;

import dev.streamhub.limits.RateLimited;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authentication of an upgraded {@code /v1/ws} socket.
 *
 * <ul>
 *   <li>With a token at the upgrade (query {@code access_token}, {@code Sec-WebSocket-Protocol:
 *       streamhub, bearer.<token>}, cookie, or header) the socket is already authenticated.</li>
 *   <li>Without one, its first message must be {@code {"type":"auth","token":"..."}} within
 *       {@code auth_ws_timeout_ms}; the hub answers {@code {"type":"authenticated","sub","expires_at"}}.
 *       A bad token, another first message, or silence: an error message
 *       {@code unauthorized}, then close 1008 (policy violation). Messages sent after the auth
 *       message before the answer are held, not lost.</li>
 *   <li>At most {@code auth_ws_max_pending} sockets of a node wait for their first message at once
 *       (whatever their IPs, forwarded or not): one more is sent {@code rate_limited} and closed with
 *       1013 at once. With the deadline, this bounds what unauthenticated sockets can hold: that
 *       many sockets, each for {@code auth_ws_timeout_ms} at most.</li>
 *   <li>At the token's {@code exp} an open socket gets an error message {@code unauthorized}
 *       ("token expired") and is closed with 1008; the client reconnects with a fresh token and
 *       resubscribes from the offsets it has, so nothing is lost.</li>
 * </ul>
 */
public final class WsAuth {

  /** RFC 6455 7.4.1: policy violation. */
  public static final short POLICY_VIOLATION = 1008;

  /** RFC 6455 7.4.1: try again later. */
  public static final short TRY_AGAIN_LATER = 1013;

  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final long timeoutMs;
  private final int maxPending;
  /** Sockets of this node waiting for their first-message token now (every event loop's). */
  private final AtomicInteger pending = new AtomicInteger();

  WsAuth(Vertx vertx, TokenVerifier verifier, long timeoutMs, int maxPending) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.timeoutMs = timeoutMs;
    this.maxPending = maxPending;
  }

  /** Sockets of this node waiting for their first-message token now. */
  int pending() {
    return pending.get();
  }

  /**
   * The socket's principal once it authenticated (the socket is then paused: resume it once its
   * handlers are set); fails, having closed the socket with 1008, when it does not.
   */
  Future<Principal> admit(RoutingContext rc, ServerWebSocket ws) {
    Principal known = Principal.of(rc);
    ws.pause();
    if (known != null) {
      closeAtExpiry(ws, known);
      return Future.succeededFuture(known);
    }
    Promise<Principal> admitted = Promise.promise();
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      HubException busy = RateLimited.error("too many WebSockets waiting to authenticate on this node (auth_ws_max_pending "
          + maxPending + "); send the token at the upgrade or retry later");
      close(ws, busy, TRY_AGAIN_LATER, "try again later");
      return Future.failedFuture(busy);
    }
    admitted.future().onComplete(settled -> pending.decrementAndGet());
    ws.closeHandler(closed -> refuse(ws, admitted, TokenVerifier.unauthorized("the socket closed before it authenticated")));
    ws.resume();
    long deadline = vertx.setTimer(timeoutMs, id -> refuse(ws, admitted,
        TokenVerifier.unauthorized("authenticate with {\"type\":\"auth\",\"token\":...} as the first message")));
    ws.textMessageHandler(text -> {
      ws.pause();
      ws.textMessageHandler(null);
      vertx.cancelTimer(deadline);
      String token = tokenOf(text);
      if (token == null) {
        refuse(ws, admitted, TokenVerifier.unauthorized("the first message must be {\"type\":\"auth\",\"token\":...}"));
        return;
      }
      verifier.verify(token).onComplete(ar -> {
        if (ar.failed()) {
          refuse(ws, admitted, ar.cause());
        } else if (!AuthHandler.allows(ar.result(), EnumSet.of(Scope.READ))) {
          refuse(ws, admitted, AuthHandler.forbidden(EnumSet.of(Scope.READ)));
        } else {
          Principal principal = ar.result();
          ws.writeTextMessage(new JsonObject().put("type", "authenticated").put("sub", principal.subject())
              .put("expires_at", principal.expiresAtMs() > 0 ? principal.expiresAtMs() / 1000 : null).encode());
          closeAtExpiry(ws, principal);
          admitted.complete(principal);
        }
      });
    });
    return admitted.future();
  }

  private static String tokenOf(String text) {
    try {
      JsonObject message = new JsonObject(text);
      Object token = message.getValue("token");
      return "auth".equals(message.getValue("type")) && token instanceof String && !((String) token).isBlank() ? (String) token : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private void closeAtExpiry(ServerWebSocket ws, Principal principal) {
    if (principal.expiresAtMs() <= 0) {
      return;
    }
    long in = Math.max(1, principal.expiresAtMs() - System.currentTimeMillis());
    vertx.setTimer(in, id -> {
      if (!ws.isClosed()) {
        close(ws, TokenVerifier.unauthorized("token expired"), POLICY_VIOLATION, "token expired");
      }
    });
  }

  private static void refuse(ServerWebSocket ws, Promise<Principal> admitted, Throwable err) {
    if (admitted.future().isComplete()) {
      return;
    }
    close(ws, err, POLICY_VIOLATION, HubException.of(err).code() == ErrorCode.FORBIDDEN ? "forbidden" : "unauthorized");
    admitted.tryFail(err);
  }

  /** An error message {@code {"type":"error","error":{...}}}, then a close with {@code status}. */
  public static void close(ServerWebSocket ws, Throwable err, short status, String reason) {
    if (ws.isClosed()) {
      return;
    }
    ws.writeTextMessage(HubException.of(err).body().put("type", "error").encode());
    ws.close(status, reason);
  }
}
