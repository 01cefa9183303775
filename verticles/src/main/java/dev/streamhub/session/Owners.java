package dev.streamhub.session;

import dev.streamhub.stream.Principal;
import dev.streamhub.limits.Quota;
import dev.streamhub.worker.GenerateRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Who a request acts for. Every stream has an owner: with auth on, the JWT {@code sub} of the
 * request's {@link Principal} (attached by {@code auth.AuthHandler}); with auth off, {@link #ANONYMOUS}.
 */
public final class Owners {

  public static final String ANONYMOUS = "anonymous";

  private Owners() {}

  /** The limit keys of the generation {@code rc} may start (see {@code LimitsHandler}); none when limits are off. */
  public static Quota quota(RoutingContext rc) {
    Quota quota = rc.get(Quota.KEY);
    return quota == null ? Quota.NONE : quota;
  }

  /**
   * {@code request} on behalf of whom {@code rc} acts, counted against its quota: how every create
   * path ({@code POST /v1/streams}, {@code /v1/chat/completions}, a WebSocket's {@code response.create}
   * through {@link Session#own}) stamps its generation.
   */
  public static GenerateRequest own(RoutingContext rc, GenerateRequest request) {
    return request.withOwner(of(rc)).withQuota(quota(rc));
  }

  /** Who {@code rc} acts for: the {@code sub} of its {@link Principal}, else {@link #ANONYMOUS}. */
  public static String of(RoutingContext rc) {
    Principal principal = Principal.of(rc);
    if (principal != null) {
      return principal.subject();
    }
    return rc.user() == null ? ANONYMOUS : rc.user().subject();
  }
}
