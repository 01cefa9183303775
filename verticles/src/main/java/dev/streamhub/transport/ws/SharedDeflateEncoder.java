package dev.streamhub.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import java.util.List;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) for the messages the hub sends on one WebSocket, without a zlib
 * stream of its own.
 *
 * <p>Netty's encoder keeps a JDK {@link Deflater} per socket from its first message on (context
 * takeover): measured 132 KB hub RSS per idle compressed WebSocket after one event, against 32 KB
 * uncompressed. Here one deflater per event loop ({@link Shared}) compresses every message of every
 * socket: each frame is a fresh raw-deflate run primed with the last {@link #HISTORY} bytes this
 * socket sent (the client's inflater keeps them in its window, as context takeover allows) and ended
 * by a sync flush; the final frame of a message drops the flush's {@code 00 00 FF FF} tail, as RFC
 * 7692 section 7.2.1 has it. The negotiation and what clients decode are unchanged. Not thread
 * safe: one socket's frames are written on its event loop, as is everything using {@link Shared}.
 */
final class SharedDeflateEncoder extends MessageToMessageEncoder<WebSocketFrame> {

  /** Plain bytes a socket keeps to prime the next message's matches: a few events. */
  static final int HISTORY = 1024;
  private static final byte[] NOTHING = new byte[0];
  private static final int TAIL = 4;

  /** The deflater and output buffer of one event loop. */
  static final class Shared {
    private final Deflater deflater;
    private final byte[] out = new byte[8192];

    Shared(int level) {
      this.deflater = new Deflater(level, true);
    }
  }

  private final Shared shared;
  private byte[] history = NOTHING;
  /** A fragmented message is being compressed: its continuation frames are ours too. */
  private boolean compressing;

  SharedDeflateEncoder(Shared shared) {
    super(WebSocketFrame.class);
    this.shared = shared;
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) throws Exception {
    if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
      return (((WebSocketFrame) msg).rsv() & WebSocketExtension.RSV1) == 0;
    }
    return msg instanceof ContinuationWebSocketFrame && compressing;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    byte[] input = ByteBufUtil.getBytes(frame.content());
    ByteBuf compressed;
    if (input.length == 0) {
      // an empty message is the single byte 0x00 (RFC 7692 section 7.2.3.6); an empty fragment is empty
      compressed = frame.isFinalFragment() ? ctx.alloc().buffer(1).writeByte(0) : ctx.alloc().buffer(0);
    } else {
      compressed = deflate(ctx, input, frame.isFinalFragment());
      remember(input);
    }
    boolean last = frame.isFinalFragment();
    if (frame instanceof TextWebSocketFrame) {
      out.add(new TextWebSocketFrame(last, frame.rsv() | WebSocketExtension.RSV1, compressed));
    } else if (frame instanceof BinaryWebSocketFrame) {
      out.add(new BinaryWebSocketFrame(last, frame.rsv() | WebSocketExtension.RSV1, compressed));
    } else {
      out.add(new ContinuationWebSocketFrame(last, frame.rsv(), compressed));
    }
    compressing = !last;
  }

  private ByteBuf deflate(ChannelHandlerContext ctx, byte[] input, boolean last) {
    Deflater deflater = shared.deflater;
    deflater.reset();
    if (history.length > 0) {
      deflater.setDictionary(history);
    }
    deflater.setInput(input);
    ByteBuf compressed = ctx.alloc().buffer(input.length / 2 + 16);
    byte[] buffer = shared.out;
    int n;
    do {
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      compressed.writeBytes(buffer, 0, n);
    } while (n == buffer.length);
    if (last) {
      compressed.writerIndex(compressed.writerIndex() - TAIL);
    }
    return compressed;
  }

  /** Keeps the last {@link #HISTORY} plain bytes sent. */
  private void remember(byte[] input) {
    int keep = Math.min(HISTORY, history.length + input.length);
    byte[] next = keep == history.length ? history : new byte[keep];
    int fromInput = Math.min(input.length, keep);
    int fromHistory = keep - fromInput;
    System.arraycopy(history, history.length - fromHistory, next, 0, fromHistory);
    System.arraycopy(input, input.length - fromInput, next, fromHistory, fromInput);
    history = next;
  }
}
