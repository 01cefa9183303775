package dev.streamhub.transport.sse;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ErrorResponses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@code id: <offset>}, {@code event: <type>}, {@code data: <event JSON>}: what {@code EventSource}
 * listeners receive, with {@code lastEventId} set for resuming. A failure is an {@code error} event
 * without an id, whose data is {@code {"error":{...}}}.
 */
public final class NativeSseFormat implements SseFormat {

  public static final NativeSseFormat INSTANCE = new NativeSseFormat();

  private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "\nevent: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);

  private NativeSseFormat() {}

  @Override
  public void write(Event event, SseResponse out) {
    out.nativeEvent(event);
  }

  /**
   * The bytes {@link SseResponse#event} writes for {@code event} in this format, as one buffer:
   * {@code id: <offset>\nevent: <type>\ndata: <event JSON>\n\n}, UTF-8.
   */
  static Buffer frame(Event event) {
    byte[] data = event.wire().getBytes(StandardCharsets.UTF_8);
    String type = event.type().wire();
    String offset = Long.toString(event.offset());
    Buffer frame = Buffer.buffer(ID.length + offset.length() + EVENT.length + type.length() + DATA.length + data.length + 2);
    frame.appendBytes(ID);
    ascii(frame, offset);
    frame.appendBytes(EVENT);
    ascii(frame, type);
    return frame.appendBytes(DATA).appendBytes(data).appendByte((byte) '\n').appendByte((byte) '\n');
  }

  /** An ASCII string (an offset, a type name), one byte per character. */
  private static void ascii(Buffer to, String s) {
    for (int i = 0; i < s.length(); i++) {
      to.appendByte((byte) s.charAt(i));
    }
  }

  @Override
  public void fail(HubException error, SseResponse out) {
    out.event(null, "error", ErrorResponses.body(error).encode());
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /**
   * {@code event: reconnect} (no id, so {@code lastEventId} stays the last event's offset), data
   * {@code {"code":"draining","message":..,"next":N}}; the response then ends and EventSource
   * reconnects by itself with {@code Last-Event-ID}.
   */
  @Override
  public void reconnect(long next, SseResponse out) {
    reconnect(next, new HubException(ErrorCode.DRAINING, "this node is shutting down; reconnect (Last-Event-ID) to resume on another node"), out);
  }

  /** The same {@code reconnect} event, with {@code why}'s code and message (say {@code store_unavailable}). */
  @Override
  public void reconnect(long next, HubException why, SseResponse out) {
    out.event(null, "reconnect", new JsonObject()
        .put("code", why.code().code())
        .put("message", why.getMessage())
        .put("next", next)
        .encode());
  }
}
