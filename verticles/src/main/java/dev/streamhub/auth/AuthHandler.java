package dev.streamhub.auth;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The router's authentication step: finds the token ({@link TokenSources}), verifies it
 * ({@link TokenVerifier}), checks the endpoint's scope ({@link Routes}) and attaches the
 * {@link Principal}. Refusals: 401 {@code unauthorized} with {@code WWW-Authenticate: Bearer}
 * (RFC 6750 3), 403 {@code forbidden} for a missing scope, 400 {@code bad_request} for a token in
 * the query string of a non-streaming request.
 *
 * <p>A {@code /v1/ws} upgrade without a token is let through marked {@link #WS_PENDING}: the socket
 * must then authenticate with its first message ({@link WsAuth}).
 *
 * <p>Expiry on an open response: a streaming GET (SSE, long-poll) still open when its token's
 * {@code exp} passes has its connection closed; the client reconnects with a fresh token and
 * resumes from {@code Last-Event-ID} / {@code from}, losing nothing.
 */
public final class AuthHandler implements Handler<RoutingContext> {

  /** Set on a {@code /v1/ws} request that came without a token. */
  public static final String WS_PENDING = "streamhub.ws_auth_pending";

  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final String cookie;

  public AuthHandler(Vertx vertx, TokenVerifier verifier, String cookie) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.cookie = cookie;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    Set<Scope> required = Routes.required(request.method(), request.path());
    if (required == null) {
      rc.next();
      return;
    }
    boolean streaming = Routes.streaming(request.method(), request.path());
    String token;
    try {
      token = TokenSources.find(request, cookie, streaming);
    } catch (HubException e) {
      refuse(rc, e);
      return;
    }
    if (token == null) {
      if (request.path().equals("/v1/ws")) {
        rc.put(WS_PENDING, true);
        rc.next();
        return;
      }
      refuse(rc, TokenVerifier.unauthorized("no token: send 'Authorization: Bearer <token>'"));
      return;
    }
    verifier.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        refuse(rc, ar.cause());
        return;
      }
      Principal principal = ar.result();
      if (!allows(principal, required)) {
        refuse(rc, forbidden(required));
        return;
      }
      principal.attach(rc);
      if (streaming && !request.path().equals("/v1/ws")) {
        closeAtExpiry(rc, principal);
      }
      rc.next();
    });
  }

  static boolean allows(Principal principal, Set<Scope> required) {
    if (required.isEmpty() || principal.admin()) {
      return true;
    }
    for (Scope scope : required) {
      if (principal.has(scope)) {
        return true;
      }
    }
    return false;
  }

  static HubException forbidden(Set<Scope> required) {
    StringBuilder words = new StringBuilder();
    required.forEach(scope -> words.append(words.length() == 0 ? "" : " or ").append(scope.word()));
    return new HubException(ErrorCode.FORBIDDEN, "the token lacks the scope this endpoint needs: " + words);
  }

  /** A streaming response still open at the token's {@code exp} is cut; see the class comment. */
  private void closeAtExpiry(RoutingContext rc, Principal principal) {
    if (principal.expiresAtMs() <= 0) {
      return;
    }
    long in = Math.max(1, principal.expiresAtMs() - System.currentTimeMillis());
    long timer = vertx.setTimer(in, id -> {
      if (!rc.response().ended() && !rc.response().closed()) {
        rc.request().connection().close();
      }
    });
    rc.addEndHandler(ended -> vertx.cancelTimer(timer));
  }

  private static void refuse(RoutingContext rc, Throwable err) {
    if (err instanceof HubException && ((HubException) err).code() == ErrorCode.UNAUTHORIZED) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"streamhub\", error=\"invalid_token\"");
    }
    rc.fail(err);
  }
}
