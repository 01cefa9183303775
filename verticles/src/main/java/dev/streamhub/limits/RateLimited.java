package dev.streamhub.limits;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
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

  /**
   * Fails {@code rc} with {@code rate_limited} carrying {@code Retry-After} ({@link #seconds}); the
   * router's failure handler answers 429 with the error body and that header.
   */
  public static void send(RoutingContext rc, String message, long retryAfterMs) {
    rc.fail(error(message).withRetryAfter(seconds(retryAfterMs)));
  }
}
