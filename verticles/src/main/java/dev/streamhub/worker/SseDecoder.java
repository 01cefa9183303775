package dev.streamhub.worker;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decodes a {@code text/event-stream} body as it arrives, following WHATWG HTML section 9.2.6
 * "Interpreting an event stream" exactly:
 * <ul>
 *   <li>the body is UTF-8 (malformed bytes become U+FFFD); one leading byte order mark is dropped;</li>
 *   <li>lines end with CRLF, LF or CR, even when a CRLF is split between two chunks;</li>
 *   <li>a line starting with {@code :} is a comment; otherwise the field name is what precedes the
 *   first {@code :} (the whole line when there is none, the value then being empty) and one space
 *   after the colon is dropped;</li>
 *   <li>{@code data} appends its value and a LF to the data buffer; {@code event} sets the type;
 *   {@code id} sets the last event id unless its value contains U+0000 NULL; {@code retry} sets the
 *   reconnection time when its value is ASCII digits only; any other field is ignored;</li>
 *   <li>an empty line dispatches the event: the last event id is taken, and when the data buffer is
 *   not empty an {@link SseEvent} is handed on with its last LF removed and type "message" unless set;</li>
 *   <li>an event the body ends in the middle of (no empty line after it) is never dispatched.</li>
 * </ul>
 * Lines are split by Vert.x's {@link RecordParser} on LF, after CR and CRLF are turned into LF (they
 * are ASCII bytes, so never part of a multi-byte character). A line, or an event's data, longer
 * than the limit is reported to the overflow handler and decoding stops.
 */
final class SseDecoder implements Handler<Buffer> {

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final Consumer<SseEvent> onEvent;
  private final Runnable onOverflow;
  private final int maxBytes;
  private final RecordParser lines;
  private final StringBuilder data = new StringBuilder();
  private String eventType = "";
  private String lastEventIdBuffer = "";
  private String lastEventId = "";
  private long retryMs = -1;
  private boolean afterCr;
  private boolean firstLine = true;
  private boolean stopped;

  SseDecoder(int maxLineBytes, Consumer<SseEvent> onEvent, Runnable onOverflow) {
    this.onEvent = onEvent;
    this.onOverflow = onOverflow;
    this.maxBytes = maxLineBytes;
    this.lines = RecordParser.newDelimited("\n", this::line).maxRecordSize(maxLineBytes);
    lines.exceptionHandler(tooLong -> overflow());
  }

  private void overflow() {
    if (!stopped) {
      stopped = true;
      onOverflow.run();
    }
  }

  @Override
  public void handle(Buffer chunk) {
    if (!stopped) {
      lines.handle(lineFeedsOnly(chunk));
    }
  }

  /** Stops decoding: nothing more is handed on. */
  void stop() {
    stopped = true;
  }

  /** The reconnection time the last valid {@code retry:} field gave, in milliseconds; -1 when none did. */
  long retryMs() {
    return retryMs;
  }

  /** The last event id as of the last dispatch ("" before any). */
  String lastEventId() {
    return lastEventId;
  }

  /** {@code chunk} with each CR and CRLF (also one split across chunks) as a single LF. */
  private Buffer lineFeedsOnly(Buffer chunk) {
    int length = chunk.length();
    boolean plain = !(afterCr && length > 0 && chunk.getByte(0) == LF);
    for (int i = 0; i < length && plain; i++) {
      plain = chunk.getByte(i) != CR;
    }
    if (plain) {
      afterCr = false;
      return chunk;
    }
    Buffer out = Buffer.buffer(length);
    for (int i = 0; i < length; i++) {
      byte b = chunk.getByte(i);
      if (b == CR) {
        out.appendByte(LF);
        afterCr = true;
      } else {
        if (!(b == LF && afterCr)) {
          out.appendByte(b);
        }
        afterCr = false;
      }
    }
    return out;
  }

  private void line(Buffer bytes) {
    if (stopped) {
      return;
    }
    int start = 0;
    if (firstLine) {
      firstLine = false;
      boolean bom = bytes.length() >= 3 && (bytes.getByte(0) & 0xff) == 0xEF && (bytes.getByte(1) & 0xff) == 0xBB && (bytes.getByte(2) & 0xff) == 0xBF;
      start = bom ? 3 : 0;
    }
    String line = bytes.getString(start, bytes.length(), StandardCharsets.UTF_8.name());
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> {
        data.append(value).append('\n');
        if (data.length() > maxBytes) {
          overflow();
        }
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventIdBuffer = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          retryMs = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
        }
      }
      default -> { }
    }
  }

  private void dispatch() {
    lastEventId = lastEventIdBuffer;
    if (data.length() == 0) {
      eventType = "";
      return;
    }
    String event = data.substring(0, data.length() - 1);
    String type = eventType.isEmpty() ? "message" : eventType;
    data.setLength(0);
    eventType = "";
    onEvent.accept(new SseEvent(type, event, lastEventId));
  }
}
