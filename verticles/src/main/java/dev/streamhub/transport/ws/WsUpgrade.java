package dev.streamhub.transport.ws;

import dev.streamhub.internal.FrameChecks;
import dev.streamhub.session.Framing;
import dev.streamhub.session.Session;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * The upgrade every WebSocket endpoint shares ({@code /v1/ws}, {@code /v1/realtime}): the session
 * is opened (admitted, counted) before the upgrade ({@link #open}), the socket made with
 * {@link FrameChecks} in its pipeline ({@link #accept}), and a failure answered once ({@link #fail}).
 */
public final class WsUpgrade {

  private WsUpgrade() {}

  /**
   * Opens the session of a WebSocket upgrade: a refused client gets an HTTP error and no socket,
   * unless the refusal's code closes sockets ({@link UpgradeRefusal}: an error message and its
   * close status). The request stays paused until the upgrade: an admission that completes later (a
   * cluster-wide limiter) must not let its end be consumed, or {@code toWebSocket} fails with
   * "Request has already been read".
   */
  public static Future<Session> open(Sessions sessions, RoutingContext rc, Framing connection) {
    rc.request().pause();
    return sessions.open(Transport.WEBSOCKET, rc, connection)
        .recover(refused -> UpgradeRefusal.closesSockets(refused) ? UpgradeRefusal.tell(rc, HubException.of(refused)) : Future.failedFuture(refused));
  }

  /**
   * Upgrades the request of an opened {@code session}. Every RFC 6455 violation of the client's
   * frames then closes the socket with its status ({@link FrameChecks}, {@link WsConnection#closeFor}):
   * 1002 protocol error (a reserved bit no extension took, Netty's framing rules), 1007 text that is
   * not UTF-8 or compressed data that does not inflate, 1009 a frame or message over
   * {@code ws_max_message_bytes}. A failed handshake closes the session and fails with
   * {@code bad_request}.
   */
  public static Future<ServerWebSocket> accept(RoutingContext rc, Session session) {
    return rc.request().toWebSocket()
        .onFailure(err -> session.close())
        .recover(err -> Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "WebSocket handshake failed: " + err.getMessage())))
        .map(ws -> {
          FrameChecks.apply(rc.request().connection(), violation -> WsConnection.closeFor(ws, violation));
          return ws;
        });
  }

  /** Answers an upgrade that failed: an HTTP error, unless the socket was already told ({@link UpgradeRefusal#wasTold}). */
  public static void fail(RoutingContext rc, Throwable err) {
    if (!UpgradeRefusal.wasTold(err)) {
      rc.fail(err);
    }
  }
}
