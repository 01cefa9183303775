package dev.streamhub.auth;

import dev.streamhub.stream.Scope;
import io.vertx.core.http.HttpMethod;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which scope each endpoint needs (see {@link Scope}). Public: {@code /health/*} and the demo pages
 * (everything outside {@code /v1/} and {@code /admin/}).
 *
 * <pre>
 *   GET    /v1/streams/{id}, /events, /poll, /v1/ws   read
 *   GET    /v1/models[/{id}]                           read or create
 *   POST   /v1/chat/completions                        create
 *   POST   /v1/responses[/{id}/cancel], DELETE /v1/responses/{id}, GET /v1/realtime   create
 *   GET    /v1/responses/{id}                          read
 *   POST   /v1/streams                                 create (a generation) or publish (an external stream)
 *   DELETE /v1/streams/{id}                            create
 *   POST   /v1/streams/{id}/events                     publish
 *   *      /v1/cluster, /admin/*                        admin
 *   other  /v1/*                                       any valid token
 * </pre>
 */
public final class Routes {

  /** Any of these scopes lets the request through; empty: any valid token does; null: public. */
  public static Set<Scope> required(HttpMethod method, String path) {
    if (!path.startsWith("/v1/") && !path.startsWith("/admin")) {
      return null;
    }
    if (path.startsWith("/admin") || path.startsWith("/v1/cluster")) {
      return EnumSet.of(Scope.ADMIN);
    }
    if (path.equals("/v1/ws") || (method == HttpMethod.GET && path.startsWith("/v1/streams/"))) {
      return EnumSet.of(Scope.READ);
    }
    if (path.startsWith("/v1/models")) {
      return EnumSet.of(Scope.READ, Scope.CREATE);
    }
    if (path.equals("/v1/realtime") || (path.startsWith("/v1/responses") && method != HttpMethod.GET)) {
      return EnumSet.of(Scope.CREATE);
    }
    if (path.startsWith("/v1/responses")) {
      return EnumSet.of(Scope.READ);
    }
    if (path.equals("/v1/chat/completions")) {
      return EnumSet.of(Scope.CREATE);
    }
    if (path.equals("/v1/streams") && method == HttpMethod.POST) {
      return EnumSet.of(Scope.CREATE, Scope.PUBLISH);
    }
    if (path.startsWith("/v1/streams/") && method == HttpMethod.DELETE) {
      return EnumSet.of(Scope.CREATE);
    }
    if (path.startsWith("/v1/streams/") && path.endsWith("/events") && method == HttpMethod.POST) {
      return EnumSet.of(Scope.PUBLISH);
    }
    return EnumSet.noneOf(Scope.class);
  }

  /** GET endpoints that hold a response open (SSE, long-poll, WebSocket): the ones that take cookie and query tokens. */
  public static boolean streaming(HttpMethod method, String path) {
    return method == HttpMethod.GET
        && (path.equals("/v1/ws") || (path.startsWith("/v1/streams/") && (path.endsWith("/events") || path.endsWith("/poll"))));
  }

  private Routes() {}
}
