package dev.streamhub.session;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * The one hook for who may connect and what they may read, consulted by every transport through
 * {@link Sessions}: authentication (the principal), connection limits, and stream ownership. The
 * security issue replaces {@link #OPEN} with its JWT subject, owner check and per-consumer /
 * per-IP connection limits. Calls happen on the session's event loop.
 */
public interface SessionGuard {

  /**
   * A client connection of {@code transport} asks to open, before anything is written to it. The
   * future holds the principal the connection acts for, or fails with {@code unauthorized},
   * {@code forbidden} or {@code rate_limited}: the connection is then refused (an HTTP error
   * response; before a WebSocket upgrade, so no socket opens) and nothing is counted.
   */
  Future<String> admit(Transport transport, RoutingContext rc);

  /**
   * The session's principal asks to read {@code stream} (a valid-looking id). Fails with
   * {@code forbidden} (or {@code stream_not_found}, not to reveal that it exists) when it may not.
   */
  Future<Void> mayRead(Session session, String stream);

  /** The session admitted by {@link #admit} closed: release its connection slot. Called once. */
  default void released(Session session) {}

  /** Today's behaviour: everyone is {@link Owners#of}, every stream is readable, no limits. */
  SessionGuard OPEN = new SessionGuard() {
    @Override
    public Future<String> admit(Transport transport, RoutingContext rc) {
      return Future.succeededFuture(Owners.of(rc));
    }

    @Override
    public Future<Void> mayRead(Session session, String stream) {
      return Future.succeededFuture();
    }
  };
}
