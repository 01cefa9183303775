package dev.streamhub.limits;

import dev.streamhub.stream.Principal;
import dev.streamhub.config.LimitsConfig;
import dev.streamhub.ops.metrics.RateLimitRejections;
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
 *   <li>the request's {@link Quota} (token-budget key, concurrent-stream slot key) for the
 *       generation it may start (admitted by {@link NodeLimits#admitGeneration}); a create request
 *       whose token budget is already spent is refused here, with the exact {@code Retry-After}.</li>
 * </ol>
 *
 * A 429 from further on (a concurrent-stream limit met by the generation's admission) gets
 * {@code Retry-After: 1} added.
 *
 * Over a limit: 429 {@code rate_limited} with {@code Retry-After} ({@link RateLimited}). A
 * limiter that cannot be reached (say, the cluster is partitioned) lets requests through and logs
 * it: fail open. Open connections are counted per session by {@code auth.SessionSecurity}.
 */
public final class LimitsHandler implements Handler<RoutingContext> {

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
    requestRate(rc, subject, ip).recover(this::failOpen).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
        return;
      }
      if (ar.result() != null) {
        RateLimitRejections.of(rc.vertx()).count(RateLimitRejections.Reason.REQUESTS);
        RateLimited.send(rc, "at most " + config.requestRate() + " requests per " + config.requestWindowMs() / 1000 + " s", ar.result());
        return;
      }
      tokenBudget(rc).recover(this::failOpen).onComplete(budget -> {
        if (budget.failed()) {
          rc.fail(budget.cause());
          return;
        }
        if (budget.result() != null) {
          RateLimitRejections.of(rc.vertx()).count(RateLimitRejections.Reason.TOKEN_BUDGET);
          RateLimited.send(rc, "token budget of " + config.tokenRate() + " tokens per " + config.tokenWindowMs() / 1000
              + " s is spent", budget.result());
          return;
        }
        rc.next();
      });
    });
  }

  /** A limiter failure admits the request (and says so in the log). */
  /** A limiter that cannot be reached lets the request through (logged); one without the cluster's quorum refuses it ({@link Limiter#failsClosed}). */
  private Future<Long> failOpen(Throwable err) {
    if (limiter.failsClosed(err)) {
      return Future.failedFuture(err);
    }
    LOG.warn("limits: limiter unavailable, admitting the request: {}", err.getMessage());
    return Future.succeededFuture();
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


}
