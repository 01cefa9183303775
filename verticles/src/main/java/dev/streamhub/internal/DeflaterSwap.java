package dev.streamhub.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Puts another permessage-deflate encoder where Netty's handshake put its own
 * ({@code ws_shared_deflater}, on by default): the hub's shares one deflater per event loop instead
 * of a zlib stream per socket. Netty's encoder is package-private, so it is found by class name in
 * the connection's pipeline, reached through Vert.x's {@code ConnectionBase} (an impl class).
 *
 * <p>When the client negotiated no compression, or the pipeline is not shaped as expected (another
 * Netty or Vert.x), nothing is replaced and the socket keeps Netty's encoder. The swap needs context
 * takeover, which the server always asks for. {@code DeflaterSwapTest} fails when it does not engage
 * on the Vert.x and Netty of the build.
 */
public final class DeflaterSwap {

  /** Netty's permessage-deflate encoder (package-private there), as the handshake adds it. */
  static final String NETTY_DEFLATE_ENCODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateEncoder";

  private static final DeflaterSwap OFF = new DeflaterSwap(false);
  private static final DeflaterSwap ON = new DeflaterSwap(true);

  private final boolean enabled;

  private DeflaterSwap(boolean enabled) {
    this.enabled = enabled;
  }

  /** The swap when {@code enabled} ({@code ws_shared_deflater}), else a no-op. */
  public static DeflaterSwap create(boolean enabled) {
    return enabled ? ON : OFF;
  }

  /**
   * Replaces Netty's permessage-deflate encoder of {@code connection} (an upgraded WebSocket's) with
   * {@code encoder}; true when it did, false when switched off, nothing was negotiated, or the
   * pipeline is not the expected one. Call on the connection's event loop right after the upgrade.
   */
  public boolean apply(HttpConnection connection, Supplier<? extends ChannelHandler> encoder) {
    if (!enabled || !(connection instanceof ConnectionBase)) {
      return false;
    }
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      if (handler.getValue().getClass().getName().equals(NETTY_DEFLATE_ENCODER)) {
        pipeline.replace(handler.getKey(), handler.getKey(), encoder.get());
        return true;
      }
    }
    return false;
  }

  /** True when {@code connection}'s pipeline still has Netty's own encoder; for tests. */
  public static boolean hasNettyEncoder(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase)) {
      return false;
    }
    for (Map.Entry<String, ChannelHandler> handler : ((ConnectionBase) connection).channelHandlerContext().pipeline()) {
      if (handler.getValue().getClass().getName().equals(NETTY_DEFLATE_ENCODER)) {
        return true;
      }
    }
    return false;
  }
}
