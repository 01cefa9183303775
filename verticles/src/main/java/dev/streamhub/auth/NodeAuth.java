package dev.streamhub.auth;

import dev.streamhub.config.AuthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's authentication: its {@link TokenVerifier} (one JWKS cache per node), shared by the edge
 * verticles and the bridge. Auth off is allowed and logged loudly at every start.
 */
public final class NodeAuth implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeAuth.class);
  private static final String MAP = "streamhub.node";
  private static final String ENTRY = "auth";

  private final AuthConfig config;
  private final TokenVerifier verifier;
  private final WsAuth ws;

  private NodeAuth(AuthConfig config, TokenVerifier verifier, WsAuth ws) {
    this.config = config;
    this.verifier = verifier;
    this.ws = ws;
  }

  /**
   * Builds the node's verifier (or none, auth off) and registers it for the node's verticles.
   *
   * @throws dev.streamhub.config.ConfigException when auth is on without a usable key
   */
  public static NodeAuth install(Vertx vertx, AuthConfig config) {
    NodeAuth auth;
    if (config.enabled()) {
      TokenVerifier verifier = new TokenVerifier(vertx, config);
      auth = new NodeAuth(config, verifier, new WsAuth(vertx, verifier, config.wsAuthTimeoutMs(), config.wsAuthMaxPending()));
      LOG.info("auth on: bearer JWT, algorithms {}, exp {}, issuer {}, audience {}", config.algorithms(),
          config.requireExp() ? "required" : "optional", config.issuer() == null ? "any" : config.issuer(),
          config.audience().isEmpty() ? "any" : config.audience());
    } else {
      auth = new NodeAuth(config, null, null);
      LOG.warn("!!! AUTH IS OFF: every client may read, create and publish any stream. Set STREAMHUB_AUTH_HS256_SECRET "
          + "(or the auth_* keys) before exposing this hub. !!!");
    }
    vertx.sharedData().getLocalMap(MAP).put(ENTRY, auth);
    return auth;
  }

  /** The node's auth, or null before {@link #install}. */
  public static NodeAuth of(Vertx vertx) {
    Object auth = vertx.sharedData().getLocalMap(MAP).get(ENTRY);
    return auth instanceof NodeAuth ? (NodeAuth) auth : null;
  }

  public boolean enabled() {
    return verifier != null;
  }

  public AuthConfig config() {
    return config;
  }

  /** The verifier; null when auth is off. */
  public TokenVerifier verifier() {
    return verifier;
  }

  WsAuth ws() {
    return ws;
  }
}
