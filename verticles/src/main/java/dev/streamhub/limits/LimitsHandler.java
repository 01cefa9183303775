package dev.streamhub.limits;

import dev.streamhub.auth.Principal;
import dev.streamhub.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's limits step, after authentication, on API paths ({@code /v1/*}, {@code /admin/*}):
 *
 * <ol>
 *   <li>request rate: one unit of {@code limits_request_rate} per request, per {@code limits_request_key};</li>
 *   <li>open connections: a slot per open API request or WebSocket, per consumer
 *       ({@code limits_connections_per_consumer}) and per client IP ({@code limits_connections_per_ip}),
 *       given back when the response ends or the socket closes;</li>
 *   <li>the request's {@link Quota} (token-budget key, concurrent-stream slot key) for the
 *       generation it may start (admitted by {@link NodeLimits#admitGeneration}); a create request
 *       whose token budget is already spent is refused here, with the exact {@code Retry-After}.</li>
 * </ol>
 *
 * A 429 from further on (a concurrent-stream limit met by the generation's admission) gets
 * {@code Retry-After: 1} added.
 *
 * Over a limit: 429 {@code rate_limited} with {@code Retry-After} ({@link RateLimited}); a
 * WebSocket over a connection limit is upgraded and closed with 1013 (try again later) after an
 * error message, as browsers cannot read a refused upgrade's status. A limiter that cannot be
 * reached (say, the cluster is partitioned) lets requests through and logs it: fail open.
 */
public final class LimitsHandler implements Handler<RoutingContext> {

  /** On a {@code /v1/ws} request over a connection limit: the refusal to close the socket with. */
  public static final String WS_REFUSED = "streamhub.ws_refused";
  /** On a {@code /v1/ws} request: what gives its connection slots back, run when the socket closes. */
  public static final String WS_RELEASE = "streamhub.ws_release";

  private static final Logger LOG = LoggerFactory.getLogger(LimitsHandler.class);

  private final LimitsConfig config;
  private final Limiter limiter;

  public LimitsHandler(NodeLimits limits) {
    this.config = limits.config();
    this.limiter = limits.limiter();
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.request().path();
    if (!path.startsWith("/v1/") && !path.startsWith("/admin")) {
      rc.next();
      return;
    }
    String ip = rc.get(ClientIp.KEY);
    Principal principal = Principal.of(rc);
    String subject = principal == null ? null : principal.subject();
    rc.put(Quota.KEY, new Quota(
        config.tokenRate() > 0 ? LimitKeys.of(config.tokenKey(), rc.request(), subject, ip) : null,
        config.concurrentStreams() > 0 ? (subject != null ? "sub:" + subject : "ip:" + ip) : null));
    rc.addHeadersEndHandler(v -> {
      if (rc.response().getStatusCode() == 429 && rc.response().headers().get("Retry-After") == null) {
        rc.response().putHeader("Retry-After", "1");
      }
    });
    requestRate(rc, subject, ip).otherwise(this::failOpen).onComplete(ar -> {
      if (ar.result() != null) {
        RateLimited.send(rc, "at most " + config.requestRate() + " requests per " + config.requestWindowMs() / 1000 + " s", ar.result());
        return;
      }
      tokenBudget(rc).otherwise(this::failOpen).onComplete(budget -> {
        if (budget.result() != null) {
          RateLimited.send(rc, "token budget of " + config.tokenRate() + " tokens per " + config.tokenWindowMs() / 1000
              + " s is spent", budget.result());
          return;
        }
        connections(rc, subject, ip);
      });
    });
  }

  /** A limiter failure admits the request (and says so in the log). */
  private Long failOpen(Throwable err) {
    LOG.warn("limits: limiter unavailable, admitting the request: {}", err.getMessage());
    return null;
  }

  /** On a create request: null when its token budget has tokens left, else the milliseconds until it has. */
  private Future<Long> tokenBudget(RoutingContext rc) {
    Quota quota = rc.get(Quota.KEY);
    String path = rc.request().path();
    boolean creates = rc.request().method() == io.vertx.core.http.HttpMethod.POST
        && (path.equals("/v1/streams") || path.equals("/v1/chat/completions"));
    if (!creates || quota.tokenKey() == null) {
      return Future.succeededFuture(null);
    }
    return limiter.take(NodeLimits.tokenKey(quota.tokenKey()), 0, config.tokenRate(), config.tokenWindowMs())
        .map(grant -> grant.used() >= config.tokenRate() ? grant.retryAfterMs() : null);
  }

  /** Null when the request fits the rate, else the milliseconds until it would. */
  private Future<Long> requestRate(RoutingContext rc, String subject, String ip) {
    if (config.requestRate() <= 0) {
      return Future.succeededFuture(null);
    }
    String key = "requests|" + LimitKeys.of(config.requestKey(), rc.request(), subject, ip);
    return limiter.take(key, 1, config.requestRate(), config.requestWindowMs())
        .map(grant -> grant.granted() == 1 ? null : grant.retryAfterMs());
  }

  private void connections(RoutingContext rc, String subject, String ip) {
    String perIp = config.connectionsPerIp() > 0 ? "conn|ip:" + ip : null;
    String perConsumer = config.connectionsPerConsumer() > 0 && subject != null ? "conn|sub:" + subject : null;
    if (perIp == null && perConsumer == null) {
      rc.next();
      return;
    }
    acquire(perIp, config.connectionsPerIp())
        .compose(gotIp -> !gotIp ? Future.succeededFuture(false)
            : acquire(perConsumer, config.connectionsPerConsumer()).transform(got -> {
              if ((got.failed() || !got.result()) && perIp != null) {
                limiter.release(perIp); // the per-IP slot was taken; give it back
              }
              return got.failed() ? Future.failedFuture(got.cause()) : Future.succeededFuture(got.result());
            }))
        .onComplete(ar -> {
          boolean ws = rc.request().path().equals("/v1/ws");
          if (ar.failed()) {
            failOpen(ar.cause());
            rc.next();
            return;
          }
          if (!ar.result()) {
            String message = "too many open connections (at most " + config.connectionsPerIp() + " per IP, "
                + config.connectionsPerConsumer() + " per consumer)";
            if (ws) {
              rc.put(WS_REFUSED, RateLimited.error(message));
              rc.next();
            } else {
              RateLimited.send(rc, message, 1000);
            }
            return;
          }
          Runnable release = () -> {
            if (perIp != null) {
              limiter.release(perIp);
            }
            if (perConsumer != null) {
              limiter.release(perConsumer);
            }
          };
          if (ws) {
            rc.put(WS_RELEASE, release);
          } else {
            rc.addEndHandler(ended -> release.run());
          }
          rc.next();
        });
  }

  private Future<Boolean> acquire(String key, long limit) {
    return key == null ? Future.succeededFuture(true) : limiter.acquire(key, limit);
  }
}
