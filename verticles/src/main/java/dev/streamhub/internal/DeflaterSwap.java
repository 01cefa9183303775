package dev.streamhub.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts another permessage-deflate encoder where Netty's handshake put its own
 * ({@code ws_shared_deflater}, on by default): the hub's shares one deflater per event loop instead
 * of a zlib stream per socket. Netty's encoder is package-private, so it is found by class name in
 * the connection's pipeline, reached through Vert.x's {@code ConnectionBase} (an impl class).
 *
 * <p>When the client negotiated no compression, or the pipeline is not shaped as expected (another
 * Netty or Vert.x), nothing is replaced and the socket keeps Netty's encoder; the second case is
 * logged once (a warning naming the Vert.x version and what differed). Engages on vertx-core 5.0.8
 * and 5.1.10 (both on Netty 4.2.10). The swap needs context
 * takeover, which the server always asks for. {@code DeflaterSwapTest} fails when it does not engage
 * on the Vert.x and Netty of the build.
 */
public final class DeflaterSwap {

  /** Netty's permessage-deflate encoder (package-private there), as the handshake adds it. */
  static final String NETTY_DEFLATE_ENCODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateEncoder";
  /** Its decoder: there when permessage-deflate was negotiated. */
  static final String NETTY_DEFLATE_DECODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateDecoder";

  private static final Logger LOG = LoggerFactory.getLogger(DeflaterSwap.class);
  private static final String VERTX_VERSION = String.valueOf(Vertx.class.getPackage().getImplementationVersion());
  /** One warning per JVM; later misses at debug. */
  static final AtomicBoolean MISS_LOGGED = new AtomicBoolean();

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
   * When permessage-deflate was negotiated (Netty's decoder is there) but the encoder is not where
   * this looks, or Vert.x lacks {@code ConnectionBase}, the socket keeps Netty's encoder and one
   * warning names the Vert.x version and what differed.
   */
  public boolean apply(HttpConnection connection, Supplier<? extends ChannelHandler> encoder) {
    if (!enabled) {
      return false;
    }
    try {
      if (!(connection instanceof ConnectionBase)) {
        missed("the connection is a " + connection.getClass().getName() + ", not a ConnectionBase");
        return false;
      }
      return swap(((ConnectionBase) connection).channelHandlerContext().pipeline(), encoder);
    } catch (LinkageError | RuntimeException e) {
      missed(e.toString());
      return false;
    }
  }

  /** The swap on one pipeline: false (and one warning) when deflate was negotiated but Netty's encoder is not found. */
  static boolean swap(ChannelPipeline pipeline, Supplier<? extends ChannelHandler> encoder) {
    boolean negotiated = false;
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      String type = handler.getValue().getClass().getName();
      if (type.equals(NETTY_DEFLATE_ENCODER)) {
        pipeline.replace(handler.getKey(), handler.getKey(), encoder.get());
        return true;
      }
      negotiated |= type.equals(NETTY_DEFLATE_DECODER);
    }
    if (negotiated) {
      missed("permessage-deflate was negotiated but the pipeline has no " + NETTY_DEFLATE_ENCODER);
    }
    return false;
  }

  private static void missed(String what) {
    if (MISS_LOGGED.compareAndSet(false, true)) {
      LOG.warn("ws_shared_deflater: WebSockets keep Netty's permessage-deflate encoder (a zlib stream each) on Vert.x {}: {}",
          VERTX_VERSION, what);
    } else {
      LOG.debug("ws_shared_deflater: kept Netty's encoder of a WebSocket: {}", what);
    }
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
