package dev.streamhub.limits;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The 429 answer: {@code Retry-After} in whole seconds (RFC 9110 10.2.3, at least 1) and OpenAI's
 * error shape {@code {"error":{"code":"rate_limited","message","type":"rate_limit_exceeded"}}}, so
 * OpenAI SDKs raise their rate-limit error and back off.
 */
public final class RateLimited {

  private RateLimited() {}

  public static HubException error(String message) {
    return new HubException(ErrorCode.RATE_LIMITED, message);
  }

  public static long seconds(long retryAfterMs) {
    return Math.max(1, (retryAfterMs + 999) / 1000);
  }

  public static void send(RoutingContext rc, String message, long retryAfterMs) {
    if (rc.response().headWritten()) {
      rc.response().end();
      return;
    }
    rc.response().setStatusCode(429)
        .putHeader("Retry-After", String.valueOf(seconds(retryAfterMs)))
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error(message).body().encode());
  }
}
