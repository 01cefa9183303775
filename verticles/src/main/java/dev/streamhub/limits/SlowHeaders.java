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
 *
 * <p>The clock is lazy: a request only notes that its connection is busy, and a response's end
 * notes when the wait began; a connection has at most one timer, which on firing closes the
 * connection if it has waited the whole timeout, or else waits again for what is left. A
 * keep-alive connection thus costs one timer per timeout, not a timer set and cancelled per
 * request (relay mode answers one POST per token: the per-request timer was 4 % of the hub's CPU,
 * bench/PERFORMANCE.md, issue 16).
 */
public final class SlowHeaders {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<HttpConnection, Clock> clocks = new HashMap<>();

  public SlowHeaders(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** A connection opened: its headers are due within the timeout. */
  public void opened(HttpConnection connection) {
    Clock clock = new Clock(connection);
    clocks.put(connection, clock);
    clock.waitFrom(System.nanoTime());
  }

  /** A request's headers arrived: stop the clock; restart it when the response ends (keep-alive), unless upgraded. */
  public void headersArrived(RoutingContext rc) {
    HttpConnection connection = rc.request().connection();
    Clock removed = clocks.remove(connection);
    Clock clock = removed != null ? removed : new Clock(connection);
    clock.busy();
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      rc.addEndHandler(ended -> {
        if (!rc.response().closed()) {
          clocks.put(connection, clock);
          clock.waitFrom(System.nanoTime());
        }
      });
    }
  }

  /**
   * One connection's wait for headers: since when ({@code -1}: a request is in progress), and its
   * one timer. In {@link #clocks} only while the connection waits, so a connection that closes
   * mid-request (or was upgraded) leaves nothing behind, and one that closes while waiting is
   * dropped when its timer fires.
   */
  private final class Clock {
    private final HttpConnection connection;
    private long waitingSinceNanos = -1;
    private boolean timerSet;

    Clock(HttpConnection connection) {
      this.connection = connection;
    }

    void busy() {
      waitingSinceNanos = -1;
    }

    void waitFrom(long nanos) {
      waitingSinceNanos = nanos;
      if (!timerSet) {
        set(timeoutMs);
      }
    }

    private void set(long ms) {
      timerSet = true;
      vertx.setTimer(Math.max(1, ms), id -> fired());
    }

    private void fired() {
      timerSet = false;
      if (waitingSinceNanos < 0 || clocks.get(connection) != this) {
        return; // a request is in progress: its response's end sets the clock again
      }
      long waitedMs = (System.nanoTime() - waitingSinceNanos) / 1_000_000;
      if (waitedMs >= timeoutMs) {
        clocks.remove(connection);
        connection.close();
      } else {
        set(timeoutMs - waitedMs);
      }
    }
  }
}
