package dev.streamhub.auth;

import dev.streamhub.config.LimitsConfig;
import dev.streamhub.limits.ClientIp;
import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.limits.RateLimited;
import dev.streamhub.ops.metrics.RateLimitRejections;
import dev.streamhub.session.Owners;
import dev.streamhub.session.Session;
import dev.streamhub.session.SessionGuard;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SessionGuard} of a hub with auth or a connection limit on: the one place where a
 * reading connection (SSE, OpenAI SSE, long-poll, whole completion, WebSocket) is admitted, may
 * read or cancel a stream, and gives its connection slots back.
 *
 * <ul>
 *   <li>{@link #admit}: the principal is the JWT {@code sub} the router's {@link AuthHandler}
 *       verified (scopes included), or {@code anonymous} with auth off; then one connection slot
 *       per client IP ({@code limits_connections_per_ip}) and per consumer
 *       ({@code limits_connections_per_consumer}); over either: 429 {@code rate_limited}
 *       (a WebSocket: an error message and close 1013). A limiter that cannot be reached admits
 *       the connection and logs it (fail open).</li>
 *   <li>{@link #upgraded}: a WebSocket that came without a token authenticates with its first
 *       message ({@link WsAuth}; 1008 otherwise); an authenticated socket is closed with 1008 at
 *       its token's {@code exp}. Such a socket takes its consumer's slot once it authenticated
 *       (1013 over the limit); at most {@code auth_ws_max_pending} sockets of the node wait for
 *       their first message at once.</li>
 *   <li>{@link #mayRead}: the stream's owner or an {@code admin} only; anyone else gets 404
 *       {@code stream_not_found}, the body an id that does not exist gets ({@link Ownership}).</li>
 *   <li>{@link #mayCreate}: a WebSocket {@code response.create} needs the {@code create} scope
 *       (403 {@code forbidden}); the HTTP create paths are checked by the router ({@link Routes}).</li>
 *   <li>{@link #released}: the slots {@link #admit} took are given back, once.</li>
 * </ul>
 *
 * One per node, shared by the edge's event loops: its state lives on each session's request.
 */
public final class SessionSecurity implements SessionGuard {

  /** On a session's request: what gives its connection slots back. */
  static final String RELEASE = "streamhub.connection_release";

  private static final Logger LOG = LoggerFactory.getLogger(SessionSecurity.class);

  private final NodeAuth auth;
  private final NodeLimits limits;
  private final Ownership ownership;

  private SessionSecurity(NodeAuth auth, NodeLimits limits, StreamLog log) {
    this.auth = auth;
    this.limits = limits;
    this.ownership = new Ownership(log);
  }

  /**
   * The guard for this node's sessions: {@link SessionGuard#OPEN} when auth and the connection
   * limits are off (nothing to check, nothing to count), else a {@code SessionSecurity}. Needs
   * {@link EdgeSecurity#install} first.
   */
  public static SessionGuard of(io.vertx.core.Vertx vertx, StreamLog log) {
    NodeAuth auth = NodeAuth.of(vertx);
    NodeLimits limits = NodeLimits.of(vertx);
    boolean authOn = auth != null && auth.enabled();
    boolean connectionLimits = !limits.off()
        && (limits.config().connectionsPerIp() > 0 || limits.config().connectionsPerConsumer() > 0);
    return authOn || connectionLimits ? new SessionSecurity(authOn ? auth : null, limits, log) : SessionGuard.OPEN;
  }

  @Override
  public Future<String> admit(Transport transport, RoutingContext rc) {
    String principal = Owners.of(rc);
    if (limits.off()) {
      return Future.succeededFuture(principal);
    }
    LimitsConfig config = limits.config();
    String ip = rc.get(ClientIp.KEY);
    Principal verified = Principal.of(rc);
    String perIp = config.connectionsPerIp() > 0 && ip != null ? "conn|ip:" + ip : null;
    String perConsumer = config.connectionsPerConsumer() > 0 && verified != null ? "conn|sub:" + verified.subject() : null;
    if (perIp == null && perConsumer == null) {
      return Future.succeededFuture(principal);
    }
    Limiter limiter = limits.limiter();
    return acquire(limiter, perIp, config.connectionsPerIp())
        .compose(gotIp -> !gotIp ? Future.succeededFuture(false)
            : acquire(limiter, perConsumer, config.connectionsPerConsumer()).transform(got -> {
              if ((got.failed() || !got.result()) && perIp != null) {
                limiter.release(perIp); // the per-IP slot was taken; give it back
              }
              return got.failed() ? Future.<Boolean>failedFuture(got.cause()) : Future.succeededFuture(got.result());
            }))
        .transform(ar -> {
          if (ar.failed() && limiter.failsClosed(ar.cause())) {
            return Future.failedFuture(ar.cause());
          }
          if (ar.failed()) {
            LOG.warn("limits: limiter unavailable, admitting the connection: {}", ar.cause().getMessage());
            return Future.succeededFuture(principal);
          }
          if (!ar.result()) {
            RateLimitRejections.of(rc.vertx()).count(RateLimitRejections.Reason.CONNECTIONS);
            return Future.failedFuture(RateLimited.error("too many open connections (at most " + config.connectionsPerIp()
                + " per IP, " + config.connectionsPerConsumer() + " per consumer)"));
          }
          rc.put(RELEASE, (Runnable) () -> {
            if (perIp != null) {
              limiter.release(perIp);
            }
            if (perConsumer != null) {
              limiter.release(perConsumer);
            }
          });
          return Future.succeededFuture(principal);
        });
  }

  private static Future<Boolean> acquire(Limiter limiter, String key, long limit) {
    return key == null ? Future.succeededFuture(true) : limiter.acquire(key, limit);
  }

  @Override
  public Future<String> upgraded(Session session, ServerWebSocket ws) {
    if (auth == null) {
      return Future.succeededFuture(session.principal());
    }
    RoutingContext rc = session.context();
    return auth.ws().admit(rc, ws).compose(principal -> {
      boolean counted = Principal.of(rc) != null; // a token at the upgrade: admit took its consumer slot
      principal.attach(rc);
      return counted ? Future.succeededFuture(principal.subject()) : consumerSlot(rc, principal, ws);
    });
  }

  /**
   * A socket that authenticated by its first message takes its consumer's connection slot now
   * ({@code limits_connections_per_consumer}; its consumer was not known at {@link #admit}). Over
   * the limit: an error message {@code rate_limited} and close 1013, as at the upgrade.
   */
  private Future<String> consumerSlot(RoutingContext rc, Principal principal, ServerWebSocket ws) {
    if (limits.off() || limits.config().connectionsPerConsumer() <= 0) {
      return Future.succeededFuture(principal.subject());
    }
    long limit = limits.config().connectionsPerConsumer();
    String key = "conn|sub:" + principal.subject();
    Limiter limiter = limits.limiter();
    return limiter.acquire(key, limit).transform(ar -> {
      if (ar.failed() && limiter.failsClosed(ar.cause())) {
        WsAuth.close(ws, ar.cause(), (short) ErrorCode.STORE_UNAVAILABLE.wsClose().code(), "store_unavailable");
        return Future.failedFuture(ar.cause());
      }
      if (ar.failed()) {
        LOG.warn("limits: limiter unavailable, admitting the connection: {}", ar.cause().getMessage());
        return Future.succeededFuture(principal.subject());
      }
      if (!ar.result()) {
        HubException refused = RateLimited.error("too many open connections (at most " + limit + " per consumer)");
        WsAuth.close(ws, refused, WsAuth.TRY_AGAIN_LATER, "rate_limited");
        return Future.failedFuture(refused);
      }
      Runnable before = rc.get(RELEASE);
      rc.put(RELEASE, (Runnable) () -> {
        if (before != null) {
          before.run();
        }
        limiter.release(key);
      });
      return Future.succeededFuture(principal.subject());
    });
  }

  @Override
  public Future<Void> mayRead(Session session, String stream) {
    return auth == null ? Future.succeededFuture() : ownership.check(Principal.of(session.context()), stream);
  }

  @Override
  public Future<Void> mayCreate(Session session) {
    Principal principal = Principal.of(session.context());
    if (auth == null || (principal != null && AuthHandler.allows(principal, EnumSet.of(Scope.CREATE)))) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(new HubException(ErrorCode.FORBIDDEN, "the token lacks the scope 'create'"));
  }

  @Override
  public void released(Session session) {
    abandoned(session.context());
  }

  @Override
  public void abandoned(RoutingContext rc) {
    Runnable release = rc.remove(RELEASE);
    if (release != null) {
      release.run();
    }
  }
}
