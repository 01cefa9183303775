package dev.streamhub.limits;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;

/**
 * The key a limit counts a request under ({@code limits_*_key}): {@code consumer} (JWT {@code sub},
 * else the IP), {@code ip}, {@code header:<name>}, {@code query:<name>}, {@code cookie:<name>}
 * (each falling back to the IP when the request lacks it). Keys are prefixed by their kind so that
 * a header value can never collide with a subject or an address.
 */
public final class LimitKeys {

  private LimitKeys() {}

  public static String of(String spec, HttpServerRequest request, String subject, String ip) {
    String value = null;
    if (spec.equals("consumer")) {
      value = subject;
    } else if (spec.startsWith("header:")) {
      value = request.getHeader(spec.substring(7));
    } else if (spec.startsWith("query:")) {
      value = request.getParam(spec.substring(6));
    } else if (spec.startsWith("cookie:")) {
      Cookie cookie = request.getCookie(spec.substring(7));
      value = cookie == null ? null : cookie.getValue();
    }
    if (value == null || value.isBlank()) {
      return "ip:" + ip;
    }
    return (spec.equals("consumer") ? "sub" : spec) + ":" + value;
  }
}
