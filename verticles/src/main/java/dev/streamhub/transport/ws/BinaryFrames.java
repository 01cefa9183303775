package dev.streamhub.transport.ws;

import dev.streamhub.stream.Event;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A {@code binary} event as one WebSocket binary frame:
 * <pre>
 *   byte 0        format version, 1
 *   byte 1        n, length of the stream id in bytes (ASCII)
 *   bytes 2..n+1  the stream id
 *   8 bytes       the offset, big-endian
 *   the rest      the payload (the event's {@code data.base64}, decoded)
 * </pre>
 * Over SSE and long-poll the same event stays JSON, with the payload base64 in {@code data.base64}.
 */
public final class BinaryFrames {

  public static final byte VERSION = 1;

  private BinaryFrames() {}

  public static Buffer encode(Event event) {
    byte[] id = event.stream().getBytes(StandardCharsets.US_ASCII);
    byte[] payload = Base64.getDecoder().decode(event.data().getString("base64", ""));
    return Buffer.buffer(2 + id.length + 8 + payload.length)
        .appendByte(VERSION)
        .appendByte((byte) id.length)
        .appendBytes(id)
        .appendLong(event.offset())
        .appendBytes(payload);
  }

  /** The stream id of a frame made by {@link #encode}. */
  public static String stream(Buffer frame) {
    return frame.getString(2, 2 + frame.getByte(1), "US-ASCII");
  }

  public static long offset(Buffer frame) {
    return frame.getLong(2 + frame.getByte(1));
  }

  public static Buffer payload(Buffer frame) {
    return frame.getBuffer(2 + frame.getByte(1) + 8, frame.length());
  }
}
