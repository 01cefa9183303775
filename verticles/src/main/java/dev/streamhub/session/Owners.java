package dev.streamhub.session;

import io.vertx.ext.web.RoutingContext;

/**
 * Who a request acts for. Every stream has an owner; until authentication is configured every
 * request acts for {@link #ANONYMOUS}, and the security issue replaces this with the JWT {@code sub}.
 */
public final class Owners {

  public static final String ANONYMOUS = "anonymous";

  private Owners() {}

  public static String of(RoutingContext rc) {
    return rc.user() == null ? ANONYMOUS : rc.user().subject();
  }
}
