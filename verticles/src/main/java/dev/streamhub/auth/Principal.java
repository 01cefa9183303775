package dev.streamhub.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who a verified token speaks for: its {@code sub}, its scopes, and when it expires.
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

  /** The principal of verified claims: {@code sub}, {@code scope} or {@code scp}, {@code exp}. */
  static Principal fromClaims(JsonObject claims) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    Object scope = claims.getValue("scope", claims.getValue("scp"));
    if (scope instanceof String) {
      for (String word : ((String) scope).trim().split("\\s+")) {
        add(scopes, word);
      }
    } else if (scope instanceof JsonArray) {
      ((JsonArray) scope).forEach(word -> add(scopes, String.valueOf(word)));
    }
    Object exp = claims.getValue("exp");
    long expiresAtMs = exp instanceof Number ? ((Number) exp).longValue() * 1000 : 0;
    return new Principal(claims.getString("sub"), scopes, expiresAtMs);
  }

  private static void add(Set<Scope> scopes, String word) {
    Scope scope = Scope.of(word);
    if (scope != null) {
      scopes.add(scope);
    }
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
