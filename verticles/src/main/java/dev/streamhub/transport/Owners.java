package dev.streamhub.transport;

import dev.streamhub.auth.Principal;
import dev.streamhub.limits.Quota;
import io.vertx.ext.web.RoutingContext;

/**
 * Who a request acts for. Every stream has an owner; until authentication is configured every
 * request acts for {@link #ANONYMOUS}, and the security issue replaces this with the JWT {@code sub}.
 */
public final class Owners {

  public static final String ANONYMOUS = "anonymous";

  private Owners() {}

  /** The limit keys of the generation {@code rc} may start (see {@code LimitsHandler}); none when limits are off. */
  public static Quota quota(RoutingContext rc) {
    Quota quota = rc.get(Quota.KEY);
    return quota == null ? Quota.NONE : quota;
  }

  public static String of(RoutingContext rc) {
    Principal principal = Principal.of(rc);
    if (principal != null) {
      return principal.subject();
    }
    return rc.user() == null ? ANONYMOUS : rc.user().subject();
  }
}
