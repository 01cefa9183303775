package dev.streamhub.transport;

import dev.streamhub.config.HttpConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;

/**
 * Refuses the reading transports the {@code transports} config turned off, before their handlers:
 * {@code ws} ({@code GET /v1/ws}, the upgrade refused with the HTTP answer), {@code sse}
 * ({@code GET /v1/streams/{id}/events}; publishing with {@code POST} there is not a transport) and
 * {@code poll} ({@code GET /v1/streams/{id}/poll}) answer 404 {@link ErrorCode#TRANSPORT_DISABLED}
 * ({@code {"error":{"code":"transport_disabled",...}}}). The JavaScript client's {@code auto} mode
 * takes that as "use the next transport" and remembers the one that worked.
 */
public final class TransportGate {

  /** Each transport's GET route, as its handler mounts it. */
  private static final Map<String, String> ROUTES = Map.of(
      "ws", "/v1/ws",
      "sse", "/v1/streams/:id/events",
      "poll", "/v1/streams/:id/poll");

  private TransportGate() {}

  /** Mounts a refusal for each transport {@code http} does not serve; call before the transports mount. */
  public static void mount(Router router, HttpConfig http) {
    for (String transport : HttpConfig.TRANSPORTS) {
      if (!http.serves(transport)) {
        HubException refusal = new HubException(ErrorCode.TRANSPORT_DISABLED,
            "the " + transport + " transport is turned off on this node (transports=" + String.join(",", served(http)) + ")");
        router.get(ROUTES.get(transport)).handler(rc -> rc.fail(refusal));
      }
    }
  }

  private static List<String> served(HttpConfig http) {
    return HttpConfig.TRANSPORTS.stream().filter(http::serves).toList();
  }
}
