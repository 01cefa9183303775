package dev.streamhub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Authentication (bearer JWT) and the browser-facing origin rules. See the README, "Security and limits".
 *
 * <p>Auth is on when {@code auth_enabled} is true, or when it is absent and any key is configured
 * (so {@code STREAMHUB_AUTH_HS256_SECRET=...} alone turns it on). On without a key is refused at
 * start: vertx-auth-jwt would accept unsigned {@code alg: none} tokens with no key.
 *
 * @param enabled {@code auth_enabled}: require a valid token on every API endpoint (not {@code /health/*} or the demo pages)
 * @param hs256Secret {@code auth_hs256_secret}: HMAC secret of HS256 tokens, at least 32 characters (RFC 7518 3.2); never logged
 * @param publicKeys {@code auth_public_keys}: array of {@code {"alg":"RS256"|"ES256"|..., "pem":"-----BEGIN PUBLIC KEY-----...", "kid":...}}
 *     ({@code "file"} instead of {@code "pem"} reads the PEM from a file)
 * @param jwksFile {@code auth_jwks_file}: a JWKS ({@code {"keys":[...]}}) file
 * @param jwksUrl {@code auth_jwks_url}: a JWKS URL, fetched at start and again on an unknown {@code kid} (see {@code auth_jwks_*})
 * @param oidcIssuer {@code auth_oidc_issuer}: an OpenID Connect issuer; its discovery document gives the JWKS URL,
 *     and tokens must carry it as {@code iss} unless {@code auth_issuer} says otherwise
 * @param algorithms {@code auth_algorithms}: the only JWS algorithms accepted; default: those of the configured keys
 * @param requireExp {@code auth_require_exp}: a token without {@code exp} is refused
 * @param leewaySeconds {@code auth_leeway_seconds}: clock skew allowed on {@code exp} and {@code nbf}
 * @param issuer {@code auth_issuer}: required {@code iss}, or null
 * @param audience {@code auth_audience}: one of these must be in {@code aud}; empty: not checked
 * @param cookie {@code auth_cookie}: the cookie that may carry the token on GET streaming endpoints
 * @param wsAuthTimeoutMs {@code auth_ws_timeout_ms}: a WebSocket with no token gets this long to send {@code {"type":"auth"}}; then 1008
 * @param wsAuthMaxPending {@code auth_ws_max_pending}: the WebSockets of a node that may be waiting for their first-message
 *     token at once; one more is sent {@code rate_limited} and closed with 1013
 * @param jwksCooldownMs {@code auth_jwks_cooldown_ms}: at least this long between two JWKS fetches
 * @param jwksMaxAgeMs {@code auth_jwks_max_age_ms}: a JWKS fetched this long ago is fetched again on the next token
 * @param workerSecretAllowed {@code auth_bridge_token_allowed}: the bridge and HTTP publish still take the old shared
 *     {@code bridge_token} (as {@code headers.token} on the bridge) besides a {@code publish}-scope JWT
 * @param allowedOrigins {@code security_allowed_origins}: origins allowed to open a WebSocket and to call the API
 *     from a browser (CORS); empty: WebSocket {@code Origin} unchecked and no CORS headers
 */
public record AuthConfig(boolean enabled, String hs256Secret, List<JsonObject> publicKeys, String jwksFile, String jwksUrl,
    String oidcIssuer, Set<String> algorithms, boolean requireExp, int leewaySeconds, String issuer, List<String> audience,
    String cookie, long wsAuthTimeoutMs, int wsAuthMaxPending, long jwksCooldownMs, long jwksMaxAgeMs, boolean workerSecretAllowed,
    List<String> allowedOrigins) {

  public static final boolean DEFAULT_REQUIRE_EXP = true;
  public static final int DEFAULT_LEEWAY_SECONDS = 5;
  public static final String DEFAULT_COOKIE = "streamhub_token";
  public static final long DEFAULT_WS_AUTH_TIMEOUT_MS = 5000;
  public static final int DEFAULT_WS_MAX_PENDING = 1024;
  public static final long DEFAULT_JWKS_COOLDOWN_MS = 30_000;
  public static final long DEFAULT_JWKS_MAX_AGE_MS = 3_600_000;
  public static final int MIN_SECRET_LENGTH = 32;
  /** The algorithms a configured key may have. */
  public static final Set<String> KNOWN_ALGORITHMS = Set.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
      "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  public boolean hasKey() {
    return hs256Secret != null || !publicKeys.isEmpty() || jwksFile != null || jwksUrl != null || oidcIssuer != null;
  }

  static AuthConfig from(Settings s) {
    String secret = s.string(ConfigKey.AUTH_HS256_SECRET);
    if (secret != null && secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("invalid " + s.sourceOf("auth_hs256_secret") + " (auth_hs256_secret): expected at least "
          + MIN_SECRET_LENGTH + " characters (RFC 7518 3.2), got " + secret.length());
    }
    List<JsonObject> keys = publicKeys(s);
    String jwksFile = s.string(ConfigKey.AUTH_JWKS_FILE);
    String jwksUrl = s.string(ConfigKey.AUTH_JWKS_URL);
    String oidc = s.string(ConfigKey.AUTH_OIDC_ISSUER);
    boolean anyKey = secret != null || !keys.isEmpty() || jwksFile != null || jwksUrl != null || oidc != null;
    boolean enabled = s.bool(ConfigKey.AUTH_ENABLED.key(), anyKey);
    if (enabled && !anyKey) {
      throw new ConfigException("auth_enabled is true but no key is configured: set auth_hs256_secret "
          + "(STREAMHUB_AUTH_HS256_SECRET), auth_public_keys, auth_jwks_file, auth_jwks_url or auth_oidc_issuer "
          + "(without a key, unsigned alg:none tokens would pass)");
    }
    Set<String> algorithms = algorithms(s, secret, keys, jwksFile != null || jwksUrl != null || oidc != null);
    String issuer = s.string(ConfigKey.AUTH_ISSUER.key(), oidc);
    return new AuthConfig(enabled, secret, keys, jwksFile, jwksUrl, oidc, algorithms,
        s.bool(ConfigKey.AUTH_REQUIRE_EXP),
        s.integer(ConfigKey.AUTH_LEEWAY_SECONDS),
        issuer, strings(s, ConfigKey.AUTH_AUDIENCE.key()),
        s.string(ConfigKey.AUTH_COOKIE),
        s.longValue(ConfigKey.AUTH_WS_TIMEOUT_MS),
        s.integer(ConfigKey.AUTH_WS_MAX_PENDING),
        s.longValue(ConfigKey.AUTH_JWKS_COOLDOWN_MS),
        s.longValue(ConfigKey.AUTH_JWKS_MAX_AGE_MS),
        s.bool(ConfigKey.AUTH_BRIDGE_TOKEN_ALLOWED),
        strings(s, ConfigKey.SECURITY_ALLOWED_ORIGINS.key()));
  }

  private static List<JsonObject> publicKeys(Settings s) {
    Object value = s.json(ConfigKey.AUTH_PUBLIC_KEYS);
    List<JsonObject> keys = new ArrayList<>();
    if (value == null) {
      return keys;
    }
    if (!(value instanceof JsonArray)) {
      throw s.bad("auth_public_keys", value, "an array of {\"alg\", \"pem\" or \"file\", \"kid\"}");
    }
    for (Object key : (JsonArray) value) {
      if (!(key instanceof JsonObject) || !KNOWN_ALGORITHMS.contains(((JsonObject) key).getString("alg", ""))
          || (((JsonObject) key).getString("pem") == null && ((JsonObject) key).getString("file") == null)) {
        throw s.bad("auth_public_keys", "(a key)", "objects {\"alg\": one of " + KNOWN_ALGORITHMS + ", \"pem\" or \"file\"}");
      }
      keys.add((JsonObject) key);
    }
    return keys;
  }

  private static Set<String> algorithms(Settings s, String secret, List<JsonObject> keys, boolean jwks) {
    List<String> given = strings(s, ConfigKey.AUTH_ALGORITHMS.key());
    Set<String> algorithms = new LinkedHashSet<>();
    if (!given.isEmpty()) {
      for (String alg : given) {
        if (!KNOWN_ALGORITHMS.contains(alg)) {
          throw s.bad("auth_algorithms", alg, "algorithms from " + KNOWN_ALGORITHMS + " (never 'none')");
        }
        algorithms.add(alg);
      }
      return algorithms;
    }
    if (secret != null) {
      algorithms.add("HS256");
    }
    keys.forEach(key -> algorithms.add(key.getString("alg")));
    if (jwks) {
      algorithms.add("RS256");
      algorithms.add("ES256");
    }
    return algorithms;
  }

  /** A JSON array of strings, or a comma-separated string (the environment's form). */
  static List<String> strings(Settings s, String key) {
    Object value = s.json(key);
    if (value == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray) {
      for (Object item : (JsonArray) value) {
        if (!(item instanceof String) || ((String) item).isBlank()) {
          throw s.bad(key, value, "an array of strings");
        }
        out.add(((String) item).trim());
      }
      return List.copyOf(out);
    }
    throw s.bad(key, value, "an array of strings");
  }

  /** The secret never shows in a config dump or a log line. */
  @Override
  public String toString() {
    return "AuthConfig[enabled=" + enabled + ", hs256Secret=" + (hs256Secret == null ? "none" : "***") + ", publicKeys="
        + publicKeys.size() + ", jwksFile=" + jwksFile + ", jwksUrl=" + jwksUrl + ", oidcIssuer=" + oidcIssuer
        + ", algorithms=" + algorithms + ", requireExp=" + requireExp + ", issuer=" + issuer + ", audience=" + audience
        + ", allowedOrigins=" + allowedOrigins + "]";
  }
}
