package dev.streamhub.stream;

import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who a verified token speaks for: its {@code sub}, its scopes, and when it expires. A plain value in
 * the lowest layer, so {@code limits/}, {@code session/} and {@code auth/} all use it;
 * {@code auth.TokenVerifier} builds it from the verified claims.
 *
 * @param subject the JWT {@code sub}: the owner of the streams it creates
 * @param expiresAtMs {@code exp} in epoch milliseconds, or 0 for a token without {@code exp} (only with {@code auth_require_exp: false})
 */
public record Principal(String subject, Set<Scope> scopes, long expiresAtMs) {

  /** Where a request's principal is kept on its {@link RoutingContext}. */
  public static final String KEY = "streamhub.principal";

  public Principal {
    scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
  }

  public boolean admin() {
    return scopes.contains(Scope.ADMIN);
  }

  /** Attaches this principal to {@code rc}; {@code Owners.of(rc)} is then its {@code sub}. */
  public void attach(RoutingContext rc) {
    rc.put(KEY, this);
  }

  /** The principal of {@code rc}, or null when auth is off or the request is not authenticated. */
  public static Principal of(RoutingContext rc) {
    return rc.get(KEY);
  }
}
