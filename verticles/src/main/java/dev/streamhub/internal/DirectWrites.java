package dev.streamhub.internal;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an upgraded WebSocket the write path Vert.x gives HTTP/1 connections in strict thread mode
 * ({@code ws_direct_writes}, on by default).
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
 * <p>Knows the 5.0.x layout ({@code io.vertx.core.http.impl.WebSocketImplBase}) and the 5.1.x one
 * (moved to {@code io.vertx.core.http.impl.websocket}, its {@code conn} a
 * {@code WebSocketConnectionImpl extends VertxConnection}), and both shapes of the direct queue's
 * constructor. Falls back cleanly on any other layout: when the classes, fields or constructor it
 * expects are not there, or a socket is not shaped as expected, the socket keeps Vert.x's queue and
 * one warning names the Vert.x version and what differed; nothing else changes.
 * {@code DirectWritesTest} fails when the swap does not engage on the Vert.x of the build.
 */
public final class DirectWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectWrites.class);
  private static final String VERTX_VERSION = String.valueOf(Vertx.class.getPackage().getImplementationVersion());
  /** Looked up once per JVM: the handles, or null when this Vert.x lacks them. */
  private static final Swap SWAP = Swap.find();
  private static final AtomicBoolean MISS_LOGGED = new AtomicBoolean();
  private static final DirectWrites OFF = new DirectWrites(false);
  private static final DirectWrites ON = new DirectWrites(true);

  private final boolean enabled;

  private DirectWrites(boolean enabled) {
    this.enabled = enabled;
  }

  /** The swap when {@code enabled} ({@code ws_direct_writes}), else a no-op. */
  public static DirectWrites create(boolean enabled) {
    return enabled ? ON : OFF;
  }

  /** True when this Vert.x has the internals the swap needs. */
  public static boolean available() {
    return SWAP != null;
  }

  /**
   * Replaces {@code ws}'s write queue; true when the socket writes directly now (swapped, or Vert.x
   * did it itself), false when switched off or the socket is not shaped as expected. Call on the
   * socket's event loop, before anything was written to it.
   */
  public boolean apply(ServerWebSocket ws) {
    return enabled && SWAP != null && SWAP.apply(ws);
  }

  private static void missed(String what) {
    if (MISS_LOGGED.compareAndSet(false, true)) {
      LOG.warn("ws_direct_writes: WebSockets keep Vert.x's multi-producer write queue (4.7 KB each) on Vert.x {}: {}",
          VERTX_VERSION, what);
    } else {
      LOG.debug("ws_direct_writes: kept the write queue of a WebSocket: {}", what);
    }
  }

  /** The reflective handles, looked up once. */
  private static final class Swap {
    /** Where {@code WebSocketImplBase} lives: Vert.x 5.0.x, then 5.1.x. */
    private static final String[] SOCKET_CLASSES = {
        "io.vertx.core.http.impl.WebSocketImplBase", "io.vertx.core.http.impl.websocket.WebSocketImplBase"};

    final Field delegate;
    final Field conn;
    final Field queue;
    final Class<?> directClass;
    final Constructor<?> direct;
    /** The direct queue's constructor takes the connection (an inner class, as in 5.0.x), or nothing. */
    final boolean inner;

    Swap(Field delegate, Field conn, Field queue, Constructor<?> direct, boolean inner) {
      this.delegate = delegate;
      this.conn = conn;
      this.queue = queue;
      this.directClass = direct.getDeclaringClass();
      this.direct = direct;
      this.inner = inner;
    }

    static Swap find() {
      try {
        // vertx-web's RoutingContext hands out a wrapper around the core socket (when it has one)
        Field delegate = wrapperDelegate();
        Field conn = socketClass().getDeclaredField("conn");
        Class<?> connection = Class.forName("io.vertx.core.net.impl.VertxConnection");
        Field queue = connection.getDeclaredField("outboundMessageQueue");
        Class<?> directClass = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue");
        Constructor<?> direct;
        boolean inner;
        try {
          direct = directClass.getDeclaredConstructor(connection);
          inner = true;
        } catch (NoSuchMethodException notInner) {
          direct = directClass.getDeclaredConstructor();
          inner = false;
        }
        if (!conn.getType().isAssignableFrom(connection) && !connection.isAssignableFrom(conn.getType())) {
          throw new NoSuchFieldException("WebSocketImplBase.conn is a " + conn.getType().getName() + ", not a VertxConnection");
        }
        if (!queue.getType().isAssignableFrom(directClass)) {
          throw new NoSuchFieldException("VertxConnection.outboundMessageQueue cannot hold a DirectOutboundMessageQueue");
        }
        if (delegate != null) {
          delegate.setAccessible(true);
        }
        conn.setAccessible(true);
        queue.setAccessible(true);
        direct.setAccessible(true);
        return new Swap(delegate, conn, queue, direct, inner);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        LOG.warn("ws_direct_writes: WebSockets keep Vert.x's multi-producer write queue (4.7 KB each): Vert.x {} does not have "
            + "the internals this swap expects ({})", VERTX_VERSION, e.toString());
        return null;
      }
    }

    private static Field wrapperDelegate() {
      try {
        return Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper").getDeclaredField("delegate");
      } catch (ReflectiveOperationException | LinkageError noWrapper) {
        return null;
      }
    }

    private static Class<?> socketClass() throws ClassNotFoundException {
      for (String name : SOCKET_CLASSES) {
        try {
          return Class.forName(name);
        } catch (ClassNotFoundException notHere) {
          // the next layout
        }
      }
      throw new ClassNotFoundException(String.join(" or ", SOCKET_CLASSES));
    }

    boolean apply(ServerWebSocket ws) {
      try {
        Object socket = delegate != null && delegate.getDeclaringClass().isInstance(ws) ? delegate.get(ws) : ws;
        if (!conn.getDeclaringClass().isInstance(socket)) {
          missed("the socket is a " + socket.getClass().getName() + ", not a WebSocketImplBase");
          return false;
        }
        Object connection = conn.get(socket);
        if (!queue.getDeclaringClass().isInstance(connection)) {
          missed("the connection is a " + connection.getClass().getName() + ", not a VertxConnection");
          return false;
        }
        if (queue.get(connection).getClass() == directClass) {
          return true; // Vert.x did it itself
        }
        queue.set(connection, inner ? direct.newInstance(connection) : direct.newInstance());
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        missed(e.toString());
        return false;
      }
    }
  }
}
