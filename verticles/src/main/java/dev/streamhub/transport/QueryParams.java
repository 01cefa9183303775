package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.ext.web.RoutingContext;

/**
 * Strict query-string values: a boolean is exactly {@code true} or {@code false}, a number of
 * seconds is ASCII digits only. Anything else is {@code bad_request} naming the parameter, what was
 * sent and what is expected, rather than a silent default ({@code include_usage=maybe} is not
 * {@code false}; {@code timeout=1.5} is not 1).
 */
public final class QueryParams {

  /** At most this many digits in a number of seconds (larger values are clamped anyway). */
  private static final int MAX_DIGITS = 9;

  private QueryParams() {}

  /** {@code ?name=true} or {@code ?name=false}; {@code fallback} when absent; {@code bad_request} otherwise. */
  public static boolean bool(RoutingContext rc, String name, boolean fallback) {
    String value = rc.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    switch (value) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new HubException(ErrorCode.BAD_REQUEST, name + " must be true or false, got '" + value + "'");
    }
  }

  /**
   * {@code ?name=S}, a whole non-negative number of seconds in ASCII digits; {@code fallback} when
   * absent; {@code bad_request} saying integer seconds are expected otherwise ({@code 1.5}, {@code -1},
   * {@code +2}, {@code 2s}).
   */
  public static int seconds(RoutingContext rc, String name, int fallback) {
    String value = rc.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    boolean digits = !value.isEmpty() && value.length() <= MAX_DIGITS;
    for (int i = 0; i < value.length() && digits; i++) {
      digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
    }
    if (!digits) {
      throw new HubException(ErrorCode.BAD_REQUEST,
          name + " must be a whole number of seconds (ASCII digits 0-9, no sign or decimal point), got '" + value + "'");
    }
    return Integer.parseInt(value);
  }
}
