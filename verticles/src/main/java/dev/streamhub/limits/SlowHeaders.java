package dev.streamhub.limits;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Slowloris guard ({@code http_header_timeout_ms}): a connection must deliver a request's complete
 * headers this soon after it opened, and again after each response ended, or it is closed. Vert.x
 * hands a request to the router only once its headers are complete, so the router's first step
 * stops the clock. One per edge event loop; not thread-safe.
 */
public final class SlowHeaders {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<HttpConnection, Long> waiting = new HashMap<>();

  public SlowHeaders(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** A connection opened: its headers are due within the timeout. */
  public void opened(HttpConnection connection) {
    arm(connection);
  }

  /** A request's headers arrived: stop the clock; restart it when the response ends (keep-alive), unless upgraded. */
  public void headersArrived(RoutingContext rc) {
    HttpConnection connection = rc.request().connection();
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      rc.addEndHandler(ended -> {
        if (!rc.response().closed()) {
          arm(connection);
        }
      });
    }
  }

  private void arm(HttpConnection connection) {
    Long previous = waiting.put(connection, vertx.setTimer(timeoutMs, id -> {
      if (waiting.remove(connection, id)) {
        connection.close();
      }
    }));
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }
}
