package dev.streamhub.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two RFC 6455 rules Vert.x does not enforce on incoming WebSocket frames, put into the upgraded
 * connection's pipeline after Netty's frame decoder and any permessage-deflate decoder:
 * <ul>
 *   <li>5.2: a reserved bit set that no negotiated extension defines fails the connection with
 *       1002. (Vert.x lets Netty's decoder accept any RSV bit once compression is enabled on the
 *       server, negotiated or not; the deflate decoder clears RSV1 of the frames it inflates, so a
 *       bit still set here is one no extension took.)</li>
 *   <li>8.1: a text message that is not valid UTF-8 (checked after decompression, across the
 *       fragments of a message, and that the last fragment does not end inside a character) fails
 *       it with 1007: Netty's {@link Utf8FrameValidator}. Vert.x would decode it with U+FFFD.</li>
 * </ul>
 * Both throw Netty's {@link CorruptedWebSocketFrameException} carrying the status, as Netty's frame
 * decoder does for the violations it finds (a new message inside a fragmented one, a fragmented or
 * over-long control frame, a frame over the size limit). A third handler after both takes every
 * such exception, and a permessage-deflate decoder's failure as 1007, to the caller's handler (which closes the socket with the exception's status: a
 * Close frame, then the TCP close, RFC 6455 7.1.7) instead of Vert.x's exception path: Vert.x hands an
 * exception to the socket's exception handler and closes the channel at once, and the Close frame
 * that handler wrote was lost now and then (Rfc6455Test saw the TCP close without a Close frame, 11
 * of 400 tries with a CPU hog). The pipeline is reached through Vert.x's
 * {@code ConnectionBase} (an impl class); {@code Rfc6455Test} fails when this does not engage.
 */
public final class FrameChecks {

  private static final Logger LOG = LoggerFactory.getLogger(FrameChecks.class);
  static final String RSV = "streamhub-rsv-check";
  static final String UTF8 = "streamhub-utf8-check";
  static final String VIOLATIONS = "streamhub-violations";
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private FrameChecks() {}

  /**
   * Adds the checks to {@code connection} (an upgraded WebSocket's); true when it did, false (and
   * one warning per JVM) when the pipeline is not the expected one. Call on the connection's event
   * loop right after the upgrade.
   */
  public static boolean apply(HttpConnection connection, Handler<CorruptedWebSocketFrameException> onViolation) {
    if (!(connection instanceof ConnectionBase)) {
      return warn("the connection is a " + connection.getClass().getName() + ", not a ConnectionBase");
    }
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    String last = null;
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      if (handler.getValue() instanceof WebSocketFrameDecoder || handler.getValue() instanceof WebSocketExtensionDecoder) {
        last = handler.getKey();
      }
    }
    if (last == null) {
      return warn("no WebSocket frame decoder in the pipeline " + pipeline.names());
    }
    if (pipeline.get(RSV) == null) {
      pipeline.addAfter(last, RSV, new ReservedBits());
      pipeline.addAfter(RSV, UTF8, new Utf8FrameValidator(false));
      pipeline.addAfter(UTF8, VIOLATIONS, new Violations(onViolation));
    }
    return true;
  }

  private static boolean warn(String why) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn("WebSocket frames are not checked for reserved bits and UTF-8 (RFC 6455 5.2, 8.1): {}", why);
    }
    return false;
  }

  /** Fails a frame with a reserved bit no extension took: 1002 (RFC 6455 5.2). */
  private static final class ReservedBits extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame && ((WebSocketFrame) msg).rsv() != 0) {
        int rsv = ((WebSocketFrame) msg).rsv();
        ReferenceCountUtil.release(msg);
        throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
            "reserved bits " + Integer.toBinaryString(rsv) + " set and no extension negotiated for them");
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Takes every {@link CorruptedWebSocketFrameException} from a handler before it to {@code
   * onViolation} (which writes the Close frame) instead of Vert.x's exception path, closes the TCP
   * connection once that frame is flushed, and drops what is read after it (the decoder
   * discards the rest of a corrupt stream; frames after a reserved-bit or UTF-8 violation are not
   * the client's messages any more). Other exceptions go on to Vert.x.
   */
  private static final class Violations extends ChannelInboundHandlerAdapter {
    private final Handler<CorruptedWebSocketFrameException> onViolation;
    private boolean failed;

    Violations(Handler<CorruptedWebSocketFrameException> onViolation) {
      this.onViolation = onViolation;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      CorruptedWebSocketFrameException violation = violation(cause);
      if (violation == null) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      if (!failed) {
        failed = true;
        onViolation.handle(violation);
        // then the TCP close, once the Close frame (written just now, ahead of this) is flushed: the
        // client's answering Close would not be read any more (the decoder discards a corrupt stream)
        // (closed from here, toward the socket: a close from the pipeline's tail would go through
        // Vert.x's WebSocket close, which has already sent its Close frame and would wait for the answer)
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> ctx.close());
      }
    }

    /**
     * The violation {@code cause} is, or null: the frame checks' and Netty's frame decoder's own
     * exception as it is; any other codec failure before this handler is the permessage-deflate
     * decoder's (data that does not inflate, RFC 7692 7.2.3): 1007, the payload is not valid.
     */
    private static CorruptedWebSocketFrameException violation(Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException) {
        return (CorruptedWebSocketFrameException) cause;
      }
      if (cause instanceof CodecException) {
        return new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "compressed data that does not inflate", cause);
      }
      return null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
