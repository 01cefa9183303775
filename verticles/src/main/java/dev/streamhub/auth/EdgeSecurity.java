package dev.streamhub.auth;

import dev.streamhub.config.HubConfig;
import dev.streamhub.limits.AccessRules;
import dev.streamhub.limits.ClientIp;
import dev.streamhub.limits.LimitsHandler;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.limits.SlowHeaders;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything between a request's headers and its endpoint, mounted on one edge router in this
 * order: slowloris clock, client IP ({@code trusted_proxies}), header size, IP and access rules,
 * CORS, WebSocket {@code Origin}, authentication and scopes, stream ownership of the endpoints
 * without a session (meta, cancel, publish), request and token rates. Plus the server options and
 * connection hook they need. What a reading connection may do (its principal, connection slots,
 * ownership of what it reads, a WebSocket's first-message token) is {@link SessionSecurity}'s.
 * One per edge verticle instance (its event loop); node-wide state is in {@link NodeAuth} and {@link NodeLimits}.
 */
public final class EdgeSecurity {

  /** Netty's own header limit sits above {@code http_max_header_bytes}, so that our 431 (with a JSON body) answers first. */
  static final int NETTY_HEADER_SLACK = 8192;

  private final Vertx vertx;
  private final HubConfig config;
  private final NodeAuth auth;
  private final NodeLimits limits;
  private final StreamLog log;
  private final ClientIp clientIp;
  private final AccessRules rules;
  private final SlowHeaders slowHeaders;

  public EdgeSecurity(Vertx vertx, HubConfig config, StreamLog log) {
    this.vertx = vertx;
    this.config = config;
    NodeAuth installed = NodeAuth.of(vertx);
    this.auth = installed != null ? installed : NodeAuth.install(vertx, config.auth());
    this.limits = NodeLimits.of(vertx);
    this.log = log;
    this.clientIp = new ClientIp(config.limits().trustedProxies());
    this.rules = new AccessRules(config.limits());
    this.slowHeaders = new SlowHeaders(vertx, config.limits().headerTimeoutMs());
  }

  /** Builds the node-wide parts (token verifier, limiter) once per node; Hub.start calls it. */
  public static void install(Vertx vertx, HubConfig config) {
    NodeAuth.install(vertx, config.auth());
    NodeLimits.install(vertx, config.limits(), config.log());
  }

  /** Header and idle bounds, and the WebSocket subprotocol a browser offers next to {@code bearer.<token>}. */
  public HttpServerOptions configure(HttpServerOptions options) {
    // Without h2c, Vert.x makes the HTTP/1.1 connection (and calls the connection hook) at accept
    // rather than after the first request's headers, so the slowloris clock starts at accept.
    options.setHttp2ClearTextEnabled(false)
        .setMaxHeaderSize(config.limits().maxHeaderBytes() + NETTY_HEADER_SLACK)
        .setWebSocketSubProtocols(List.of(TokenSources.WS_PROTOCOL));
    if (config.limits().idleTimeoutMs() > 0) {
      options.setIdleTimeout((int) config.limits().idleTimeoutMs()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return options;
  }

  /** The server's connection hook: starts the slowloris clock. */
  public void opened(HttpConnection connection) {
    slowHeaders.opened(connection);
  }

  public void mount(Router router) {
    router.route().handler(this::gate);
    List<String> origins = config.auth().allowedOrigins();
    if (!origins.isEmpty()) {
      router.route().handler(CorsHandler.create().addOrigins(origins).allowCredentials(true)
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "Last-Event-ID", "Accept"))
          .exposedHeaders(Set.of("Retry-After")));
    }
    if (auth.enabled()) {
      router.route().handler(new AuthHandler(vertx, auth.verifier(), config.auth().cookie()));
      // the endpoints that act on a stream without a session; a session's reads and cancels are
      // checked by its guard (SessionSecurity#mayRead)
      Ownership ownership = new Ownership(log);
      router.get("/v1/streams/:id").handler(ownership::handle);
      router.delete("/v1/streams/:id").handler(ownership::handle);
      router.post("/v1/streams/:id/events").handler(ownership::handle);
      router.get("/v1/responses/:id").handler(ownership::handleResponse);
      router.post("/v1/responses/:id/cancel").handler(ownership::handleResponse);
      router.delete("/v1/responses/:id").handler(ownership::handleResponse);
    }
    if (!limits.off()) {
      router.route().handler(new LimitsHandler(limits));
    }
    router.route().handler(EdgeSecurity::resume);
  }

  /**
   * The steps above are asynchronous (a JWKS fetch, a cluster-wide counter), so {@link #gate}
   * pauses the request: a body must wait for the {@code BodyHandler}, which resumes it. A request
   * without a body is resumed here, past the last step.
   */
  private static void resume(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    if (method != HttpMethod.POST && method != HttpMethod.PUT && method != HttpMethod.PATCH && !rc.request().isEnded()) {
      rc.request().resume();
    }
    rc.next();
  }

  /** First step of every request: slowloris clock, client IP, header size, IP and access rules, WebSocket Origin. */
  private void gate(RoutingContext rc) {
    if (!rc.request().isEnded()) {
      rc.request().pause();
    }
    slowHeaders.headersArrived(rc);
    String ip = clientIp.of(rc.request());
    rc.put(ClientIp.KEY, ip);
    if (headerBytes(rc) > config.limits().maxHeaderBytes()) {
      rc.response().putHeader("Connection", "close");
      rc.fail(new HubException(ErrorCode.HEADERS_TOO_LARGE,
          "request line and headers exceed " + config.limits().maxHeaderBytes() + " bytes"));
      return;
    }
    HubException refused = rules.check(rc.request(), ip);
    if (refused == null) {
      refused = origin(rc);
    }
    if (refused != null) {
      rc.fail(refused);
      return;
    }
    rc.next();
  }

  /** Cross-site WebSocket hijacking: a browser upgrade from an origin not in {@code security_allowed_origins} is refused. */
  private HubException origin(RoutingContext rc) {
    List<String> allowed = config.auth().allowedOrigins();
    String origin = rc.request().getHeader("Origin");
    if (allowed.isEmpty() || origin == null || !rc.request().path().equals("/v1/ws") || allowed.contains(origin)) {
      return null;
    }
    return new HubException(ErrorCode.FORBIDDEN, "WebSocket origin not allowed");
  }

  private static int headerBytes(RoutingContext rc) {
    int bytes = rc.request().method().name().length() + rc.request().uri().length() + 11;
    for (Map.Entry<String, String> header : rc.request().headers()) {
      bytes += header.getKey().length() + header.getValue().length() + 4;
    }
    return bytes;
  }
}
