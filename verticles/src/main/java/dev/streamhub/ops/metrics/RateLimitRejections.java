package dev.streamhub.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code streamhub_rate_limit_rejections_total{reason}}: what the limits refused (a 429
 * {@code rate_limited}, or a WebSocket's {@code rate_limited} error and close 1013), one count per
 * refusal, by a small fixed set of reasons and nothing else (no consumer, IP or key label). Every
 * reason's series exists from the start, at 0. Counted where the refusal is decided:
 * {@code limits.LimitsHandler} (request rate, a spent token budget at the request),
 * {@code limits.NodeLimits#admitGeneration} (a spent token budget, concurrent streams) and
 * {@code auth.SessionSecurity#admit} (connections).
 */
public final class RateLimitRejections {

  /** Why a limit refused; {@link #wire} is the {@code reason} label. */
  public enum Reason {
    /** {@code limits_request_rate}: requests per window of one request key. */
    REQUESTS,
    /** {@code limits_token_rate}: the consumer's LLM-token budget is spent (a new generation refused). */
    TOKEN_BUDGET,
    /** {@code limits_concurrent_streams}: the consumer runs as many unfinished generations as allowed. */
    CONCURRENT_STREAMS,
    /** {@code limits_connections_per_ip} / {@code limits_connections_per_consumer}: open reading connections. */
    CONNECTIONS;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

  RateLimitRejections(MeterRegistry registry) {
    for (Reason reason : Reason.values()) {
      counters.put(reason, Counter.builder("streamhub.rate.limit.rejections").tag("reason", reason.wire())
          .description("Requests and connections the rate limits refused (429 rate_limited, WebSocket 1013), by reason")
          .register(registry));
    }
  }

  /** The rejections of {@code vertx}'s node ({@link HubMetrics#of}). */
  public static RateLimitRejections of(Vertx vertx) {
    return HubMetrics.of(vertx).rejections();
  }

  /** One refusal for {@code reason}. */
  public void count(Reason reason) {
    counters.get(reason).increment();
  }
}
