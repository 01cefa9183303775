package dev.streamhub.session;

import dev.streamhub.stream.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * The one hook for who may connect and what they may read, consulted by every transport through
 * {@link Sessions}: authentication (the principal), connection limits, and stream ownership. The
 * hub plugs {@code auth.SessionSecurity} in (JWT subject, owner check, per-consumer / per-IP
 * connection limits) when auth or a connection limit is on, {@link #OPEN} otherwise. Calls happen
 * on the session's event loop.
 */
public interface SessionGuard {

  /**
   * A client connection of {@code transport} asks to open, before anything is written to it. The
   * future holds the principal the connection acts for, or fails with {@code unauthorized},
   * {@code forbidden} or {@code rate_limited}: the connection is then refused (an HTTP error
   * response; for a WebSocket, whose client cannot read a refused upgrade's status, a code with a
   * close status ({@link ErrorCode#wsClose}, e.g. {@code rate_limited}: 1013) is answered by an
   * upgrade, an error message and that close) and nothing is counted.
   */
  Future<String> admit(Transport transport, RoutingContext rc);

  /**
   * A WebSocket session's socket was upgraded; its handlers are not set yet. Yields the principal
   * the socket acts for from now on (a token sent as the first message names it), or fails, having
   * closed the socket (1008 {@code unauthorized}): the transport then closes the session. The
   * socket is left paused; the transport resumes it once its handlers are set.
   */
  default Future<String> upgraded(Session session, ServerWebSocket ws) {
    return Future.succeededFuture(session.principal());
  }

  /**
   * The session's principal asks to read {@code stream} (a valid-looking id). Fails with
   * {@code forbidden} (or {@code stream_not_found}, not to reveal that it exists) when it may not.
   * Also asked before a session cancels {@code stream}.
   */
  Future<Void> mayRead(Session session, String stream);

  /**
   * The session's principal asks to start a generation (a WebSocket {@code response.create}).
   * Fails with {@code forbidden} when it may not.
   */
  default Future<Void> mayCreate(Session session) {
    return Future.succeededFuture();
  }

  /**
   * The connection {@code rc} was admitted by {@link #admit} but no session opened for it (the
   * generation it asked for did not start): release its connection slot. Called at most once,
   * never for a request whose session opened ({@link #released} is called for that).
   */
  default void abandoned(RoutingContext rc) {}

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
