package dev.streamhub.auth;

import dev.streamhub.config.AuthConfig;
import dev.streamhub.config.ConfigException;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies bearer JWTs with vertx-auth-jwt, around the gaps it leaves open:
 *
 * <ol>
 *   <li>the header's {@code alg} must be one of {@code auth_algorithms} ({@code none} never is; an
 *       HS256 token against RS256 keys is refused here, before any key is tried: RFC 8725 2.1, 3.1);</li>
 *   <li>a {@code kid} no key has makes the JWKS ({@link JwksSource}) refresh once, then is refused;</li>
 *   <li>the signature, {@code exp}, {@code nbf} (with {@code auth_leeway_seconds}), {@code iss} and
 *       {@code aud} are checked by vertx-auth-jwt;</li>
 *   <li>a token without {@code exp} is refused unless {@code auth_require_exp} is false (vertx-auth-jwt
 *       treats it as never expiring).</li>
 * </ol>
 *
 * Every refusal is {@code unauthorized} with a fixed message naming the reason; no message and no
 * log line ever holds the token. Thread-safe; one per node.
 */
public final class TokenVerifier {

  private final Vertx vertx;
  private final AuthConfig config;
  private final List<PubSecKeyOptions> staticKeys;
  private final List<JsonObject> fileJwks;
  private final JwksSource remote;
  private volatile JWTAuth jwt;
  private volatile Set<String> kids;
  private volatile List<JsonObject> builtFrom;

  /** @throws ConfigException when auth is on without a key, or a key file cannot be read */
  public TokenVerifier(Vertx vertx, AuthConfig config) {
    if (!config.hasKey()) {
      throw new ConfigException("auth is on but no key is configured (auth_hs256_secret / STREAMHUB_AUTH_HS256_SECRET, "
          + "auth_public_keys, auth_jwks_file, auth_jwks_url, auth_oidc_issuer); refusing to start: unsigned alg:none tokens would pass");
    }
    this.vertx = vertx;
    this.config = config;
    this.staticKeys = staticKeys(config);
    this.fileJwks = fileJwks(config);
    this.remote = config.jwksUrl() != null || config.oidcIssuer() != null ? new JwksSource(vertx, config) : null;
    build(List.of());
  }

  /** The principal of a valid token, or a failure with {@code unauthorized}. */
  public Future<Principal> verify(String token) {
    // the JWKS refresh is shared by the node's event loops and completes on the one that started it:
    // onCaller brings the result back to the request's event loop (sessions are confined to theirs)
    JsonObject header;
    try {
      header = header(token);
    } catch (HubException e) {
      return Future.failedFuture(e);
    }
    String alg = header.getString("alg");
    if (alg == null || !config.algorithms().contains(alg)) {
      return Future.failedFuture(unauthorized("token algorithm not accepted"));
    }
    String kid = header.getString("kid");
    Future<Void> keysReady = Future.succeededFuture();
    if (remote != null && ((kid != null && !kids.contains(kid)) || remote.keys().isEmpty() || remote.stale())) {
      keysReady = remote.refresh().map(keys -> {
        if (keys != builtFrom) {
          build(keys);
        }
        return null;
      });
    }
    return onCaller(keysReady).compose(ready -> {
      if (kid != null && !kids.contains(kid) && (remote != null || !fileJwks.isEmpty())) {
        return Future.failedFuture(unauthorized("token key id unknown"));
      }
      return jwt.authenticate(new TokenCredentials(token))
          .recover(err -> Future.failedFuture(unauthorized(reason(err, token))))
          .compose(user -> claims(user.attributes().getJsonObject("accessToken", user.principal())));
    });
  }

  private Future<Principal> claims(JsonObject claims) {
    if (config.requireExp() && !(claims.getValue("exp") instanceof Number)) {
      return Future.failedFuture(unauthorized("token has no exp"));
    }
    if (!(claims.getValue("sub") instanceof String) || claims.getString("sub").isBlank()) {
      return Future.failedFuture(unauthorized("token has no sub"));
    }
    return Future.succeededFuture(principal(claims));
  }

  /** The principal of verified claims: {@code sub}, {@code scope} or {@code scp}, {@code exp}. */
  private static Principal principal(JsonObject claims) {
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

  /** The decoded JOSE header of a compact JWS with three non-empty parts. */
  static JsonObject header(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw unauthorized(parts.length == 3 && parts[2].isEmpty() ? "token algorithm not accepted" : "token malformed");
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw unauthorized("token malformed");
    }
  }

  /** vertx-auth-jwt's failure, as one of a few fixed phrases (its messages are not part of our contract). */
  private String reason(Throwable err, String token) {
    String message = String.valueOf(err.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("expired")) {
      // vertx-auth-jwt says "expired" for an nbf in the future too
      return notYetValid(token) ? "token not yet valid" : "token expired";
    }
    if (message.contains("before") || message.contains("nbf")) {
      return "token not yet valid";
    }
    if (message.contains("audience")) {
      return "token audience not accepted";
    }
    if (message.contains("issuer") || message.contains("iss")) {
      return "token issuer not accepted";
    }
    return "token signature or claims invalid";
  }

  /** Whether the (signature-checked or not: only for the message) payload's {@code nbf} is beyond the leeway. */
  private boolean notYetValid(String token) {
    try {
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
      Object nbf = claims.getValue("nbf");
      return nbf instanceof Number && ((Number) nbf).longValue() > System.currentTimeMillis() / 1000 + config.leewaySeconds();
    } catch (RuntimeException e) {
      return false;
    }
  }

  static HubException unauthorized(String reason) {
    return new HubException(ErrorCode.UNAUTHORIZED, reason);
  }

  /** Rebuilds the provider with the static keys plus {@code jwks} (JWTAuth takes its keys only when created). */
  private synchronized void build(List<JsonObject> jwks) {
    JWTOptions options = new JWTOptions()
        .setLeeway(config.leewaySeconds())
        .setIgnoreExpiration(false)
        .setIssuer(config.issuer());
    if (!config.audience().isEmpty()) {
      options.setAudience(config.audience());
    }
    JWTAuthOptions auth = new JWTAuthOptions().setJWTOptions(options).setPubSecKeys(new ArrayList<>(staticKeys));
    Set<String> ids = new HashSet<>();
    List<JsonObject> all = new ArrayList<>(fileJwks);
    all.addAll(jwks);
    for (JsonObject jwk : all) {
      if (jwk.getString("alg") == null || config.algorithms().contains(jwk.getString("alg"))) {
        auth.addJwk(jwk);
        if (jwk.getString("kid") != null) {
          ids.add(jwk.getString("kid"));
        }
      }
    }
    staticKeys.forEach(key -> {
      if (key.getId() != null) {
        ids.add(key.getId());
      }
    });
    this.jwt = JWTAuth.create(vertx, auth);
    this.kids = Set.copyOf(ids);
    this.builtFrom = jwks;
  }

  private static List<PubSecKeyOptions> staticKeys(AuthConfig config) {
    List<PubSecKeyOptions> keys = new ArrayList<>();
    if (config.hs256Secret() != null) {
      keys.add(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Buffer.buffer(config.hs256Secret())));
    }
    for (JsonObject key : config.publicKeys()) {
      String pem = key.getString("pem");
      if (pem == null) {
        pem = read(key.getString("file"), "auth_public_keys");
      }
      keys.add(new PubSecKeyOptions().setAlgorithm(key.getString("alg")).setBuffer(pem).setId(key.getString("kid")));
    }
    return keys;
  }

  private static List<JsonObject> fileJwks(AuthConfig config) {
    if (config.jwksFile() == null) {
      return List.of();
    }
    JsonArray keys;
    try {
      keys = new JsonObject(read(config.jwksFile(), "auth_jwks_file")).getJsonArray("keys");
    } catch (RuntimeException e) {
      throw new ConfigException("auth_jwks_file " + config.jwksFile() + " is not a JWKS {\"keys\":[...]}");
    }
    List<JsonObject> out = new ArrayList<>();
    keys.forEach(key -> out.add((JsonObject) key));
    return out;
  }

  private static String read(String file, String key) {
    try {
      return Files.readString(Path.of(file));
    } catch (Exception e) {
      throw new ConfigException("cannot read " + file + " (" + key + "): " + e.getMessage());
    }
  }

  /** {@code future}, its callbacks run on the caller's context (the request's event loop) wherever it completes. */
  private static <T> Future<T> onCaller(Future<T> future) {
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    if (caller == null || future.isComplete()) {
      return future;
    }
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    future.onComplete(ar -> {
      if (io.vertx.core.Vertx.currentContext() == caller) {
        promise.handle(ar);
      } else {
        caller.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }
}
