package dev.streamhub.auth;

import dev.streamhub.config.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWKS URL ({@code auth_jwks_url}, or the {@code jwks_uri} of the OpenID Connect
 * discovery document of {@code auth_oidc_issuer}), fetched by the hub because vertx-auth-jwt does
 * not fetch them itself.
 *
 * <p>Refresh rules: one fetch at a time (callers during a fetch share it); never two fetches less
 * than {@code auth_jwks_cooldown_ms} apart (a flood of tokens with made-up {@code kid}s costs the
 * identity provider one request per cooldown); a refresh is asked for on an unknown {@code kid} and
 * when the keys are older than {@code auth_jwks_max_age_ms}. A failed fetch keeps the old keys.
 * Thread-safe: shared by every edge event loop of the node.
 */
final class JwksSource {

  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);
  static final long FETCH_TIMEOUT_MS = 5000;

  private final AuthConfig config;
  private final HttpClient http;
  private final AtomicReference<Future<List<JsonObject>>> inFlight = new AtomicReference<>();
  private volatile List<JsonObject> keys = List.of();
  private volatile long fetchedAtMs;
  private volatile long lastAttemptMs = Long.MIN_VALUE / 2;
  private volatile String jwksUri;

  JwksSource(Vertx vertx, AuthConfig config) {
    this.config = config;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) FETCH_TIMEOUT_MS));
    this.jwksUri = config.jwksUrl();
  }

  /** The keys as last fetched (empty before the first fetch). */
  List<JsonObject> keys() {
    return keys;
  }

  boolean stale() {
    return System.currentTimeMillis() - fetchedAtMs > config.jwksMaxAgeMs();
  }

  /**
   * Fetches the keys again unless a fetch is under way (then joins it) or the cooldown has not
   * passed (then yields the keys held). Never fails: a failed fetch is logged and the old keys stay.
   */
  Future<List<JsonObject>> refresh() {
    Future<List<JsonObject>> running = inFlight.get();
    if (running != null) {
      return running;
    }
    long now = System.currentTimeMillis();
    if (now - lastAttemptMs < config.jwksCooldownMs()) {
      return Future.succeededFuture(keys);
    }
    Promise<List<JsonObject>> promise = Promise.promise();
    if (!inFlight.compareAndSet(null, promise.future())) {
      return inFlight.get() == null ? Future.succeededFuture(keys) : inFlight.get();
    }
    lastAttemptMs = now;
    uri().compose(this::getJson).map(jwks -> {
      JsonArray array = jwks.getJsonArray("keys");
      if (array == null) {
        throw new IllegalStateException("the JWKS has no 'keys' array");
      }
      List<JsonObject> fetched = new ArrayList<>();
      array.forEach(key -> {
        if (key instanceof JsonObject) {
          fetched.add((JsonObject) key);
        }
      });
      keys = List.copyOf(fetched);
      fetchedAtMs = System.currentTimeMillis();
      LOG.info("auth: fetched {} key(s) from the JWKS", fetched.size());
      return keys;
    }).otherwise(err -> {
      LOG.warn("auth: could not fetch the JWKS ({}); keeping {} key(s)", err.getMessage(), keys.size());
      return keys;
    }).onComplete(done -> {
      inFlight.set(null);
      promise.complete(done.result());
    });
    return promise.future();
  }

  /** The JWKS URL: configured, or found once through OpenID Connect discovery. */
  private Future<String> uri() {
    if (jwksUri != null) {
      return Future.succeededFuture(jwksUri);
    }
    String issuer = config.oidcIssuer();
    String discovery = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration";
    return getJson(discovery).map(doc -> {
      String uri = doc.getString("jwks_uri");
      if (uri == null) {
        throw new IllegalStateException("the OpenID Connect discovery document of " + issuer + " has no jwks_uri");
      }
      jwksUri = uri;
      return uri;
    });
  }

  private Future<JsonObject> getJson(String url) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(FETCH_TIMEOUT_MS)
        .putHeader("Accept", "application/json");
    return http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200
            ? response.body()
            : Future.failedFuture(new IllegalStateException(url + " answered " + response.statusCode())))
        .map(body -> body.toJsonObject());
  }
}
