package dev.streamhub.transport.ws;

import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an upgraded WebSocket the write path Vert.x gives HTTP/1 connections in strict thread mode.
 *
 * <p>Vert.x 5.0.8 creates the connection behind a server WebSocket without the server's strict
 * thread mode ({@code ServerWebSocketHandshaker} calls {@code new WebSocketConnectionImpl(..)},
 * whose {@code VertxConnection(context, chctx)} means {@code strictThreadMode = false}). Every socket
 * then carries a multi-producer write queue whose first JCTools chunk has 1,024 slots: 4.7 KB of
 * heap per WebSocket, 40 % of an idle one's live heap, for a queue this hub never needs, since it
 * writes to a socket only from the socket's event loop (as strict thread mode requires of HTTP/1
 * responses). Until Vert.x passes the mode on, this swaps that queue for Vert.x's own direct one
 * ({@code VertxConnection.DirectOutboundMessageQueue}), by reflection, right after the handshake,
 * before anything was written to the socket.
 *
 * <p>When the internals are not the expected ones (another Vert.x version), the socket keeps its
 * queue and a warning says so once; nothing else changes.
 */
final class DirectWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectWrites.class);
  private static final Swap SWAP = Swap.find();

  private DirectWrites() {}

  /** Replaces {@code ws}'s write queue; true when it did. Call on the socket's event loop. */
  static boolean apply(ServerWebSocket ws) {
    return SWAP != null && SWAP.apply(ws);
  }

  /** The reflective handles, looked up once. */
  private static final class Swap {
    final Field delegate;
    final Field conn;
    final Field queue;
    final Constructor<?> direct;

    Swap(Field delegate, Field conn, Field queue, Constructor<?> direct) {
      this.delegate = delegate;
      this.conn = conn;
      this.queue = queue;
      this.direct = direct;
    }

    static Swap find() {
      try {
        // vertx-web's RoutingContext hands out a wrapper around the core socket
        Field delegate = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper").getDeclaredField("delegate");
        Field conn = Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredField("conn");
        Class<?> connection = Class.forName("io.vertx.core.net.impl.VertxConnection");
        Field queue = connection.getDeclaredField("outboundMessageQueue");
        Constructor<?> direct = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue")
            .getDeclaredConstructor(connection);
        delegate.setAccessible(true);
        conn.setAccessible(true);
        queue.setAccessible(true);
        direct.setAccessible(true);
        return new Swap(delegate, conn, queue, direct);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("WebSockets keep Vert.x's multi-producer write queue (4.7 KB each): this Vert.x does not have the expected internals ({})",
            e.toString());
        return null;
      }
    }

    boolean apply(ServerWebSocket ws) {
      try {
        Object socket = delegate.getDeclaringClass().isInstance(ws) ? delegate.get(ws) : ws;
        if (!conn.getDeclaringClass().isInstance(socket)) {
          return false;
        }
        Object connection = conn.get(socket);
        if (queue.get(connection).getClass() == direct.getDeclaringClass()) {
          return true; // Vert.x did it itself
        }
        queue.set(connection, direct.newInstance(connection));
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("kept the write queue of a WebSocket: {}", e.toString());
        return false;
      }
    }
  }
}
