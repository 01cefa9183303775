package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP semantics every endpoint shares (RFC 9110):
 * <ul>
 *   <li>a JSON endpoint refuses a body that is not {@code application/json} (parameters such as
 *       {@code charset} allowed) with 415 {@code unsupported_media_type}: a {@code text/plain} or form
 *       body is what a browser sends cross-site without a CORS preflight (RFC 9110 15.5.16);</li>
 *   <li>{@code HEAD} is answered wherever {@code GET} is, with the GET's status and headers and no
 *       body (9.3.2); on a streaming endpoint (SSE, long-poll) the response ends after the headers
 *       without reading the stream: 200 if it exists, else 404 {@code stream_not_found};</li>
 *   <li>every 405 carries {@code Allow} listing the methods the path takes (15.5.6).</li>
 * </ul>
 */
public final class HttpSemantics {

  /** Paths whose GET streams; a HEAD there gets the headers only (the stream is not read). */
  private static final List<Pattern> STREAMING = List.of(
      Pattern.compile("/v1/streams/([^/]+)/events"), Pattern.compile("/v1/streams/([^/]+)/poll"));

  private final Router router;
  private final StreamLog log;

  private HttpSemantics(Router router, StreamLog log) {
    this.router = router;
    this.log = log;
  }

  /**
   * Mounts the HEAD and 415 checks first on {@code router} (before any body is read), for the JSON
   * bodies of {@code bodyPaths}; the 405 and its {@code Allow} header come from {@link #noRoute}.
   */
  public static HttpSemantics mount(Router router, StreamLog log, List<String> bodyPaths) {
    HttpSemantics semantics = new HttpSemantics(router, log);
    router.route().order(-2).handler(semantics::head);
    for (String path : bodyPaths) {
      router.post(path).handler(HttpSemantics::requireJson);
    }
    return semantics;
  }

  private void head(RoutingContext rc) {
    if (rc.request().method() != HttpMethod.HEAD) {
      rc.next();
      return;
    }
    String path = rc.normalizedPath();
    for (Pattern streaming : STREAMING) {
      Matcher m = streaming.matcher(path);
      if (m.matches()) {
        // the GET would hold the response open while the stream goes on: a HEAD gets its headers only
        String stream = m.group(1);
        String type = path.endsWith("/events") ? "text/event-stream" : "application/json";
        (StreamIds.looksValid(stream) ? log.meta(stream) : Future.failedFuture(HubException.streamNotFound(stream)))
            .onSuccess(meta -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader("X-Stream-Id", stream).end())
            .onFailure(rc::fail);
        return;
      }
    }
    rc.reroute(HttpMethod.GET, rc.request().uri());
  }

  /** 415 {@code unsupported_media_type} unless the body is declared {@code application/json}. */
  private static void requireJson(RoutingContext rc) {
    String declared = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String type = declared == null ? "" : declared.split(";", 2)[0].trim();
    if ("application/json".equalsIgnoreCase(type)) {
      rc.next();
      return;
    }
    rc.fail(new HubException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, rc.request().method() + " " + rc.request().path()
        + " takes a JSON body with Content-Type: application/json, got " + (declared == null ? "no Content-Type" : "'" + declared + "'")));
  }

  /**
   * The answer to a request no route took (the router's 404 or 405): when routes of this path take
   * other methods, 405 {@code method_not_allowed} with {@code Allow} set to them (GET implying HEAD)
   * and named in the message; else 404 {@code not_found}. (The router alone says 404 for a path
   * whose routes come before a catch-all one, such as the health checks.)
   */
  public HubException noRoute(RoutingContext rc) {
    String path = rc.normalizedPath();
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> taken = route.methods();
      if (taken == null || taken.isEmpty() || route.getPath() == null || !matches(route.getPath(), path)) {
        continue;
      }
      for (HttpMethod method : taken) {
        methods.add(method.name());
        if (method == HttpMethod.GET) {
          methods.add(HttpMethod.HEAD.name());
        }
      }
    }
    if (methods.isEmpty()) {
      return new HubException(ErrorCode.NOT_FOUND, "no such endpoint: " + rc.request().method() + " " + rc.request().path());
    }
    String allow = String.join(", ", methods);
    rc.response().putHeader(HttpHeaders.ALLOW, allow);
    return new HubException(ErrorCode.METHOD_NOT_ALLOWED, rc.request().method() + " " + rc.request().path()
        + " is not allowed; this path takes " + allow);
  }

  private static boolean matches(String routePath, String path) {
    String regex = Pattern.quote(routePath).replaceAll(":[A-Za-z_]+", "\\\\E[^/]+\\\\Q");
    return Pattern.matches(regex, path);
  }
}
