package dev.streamhub.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser (the WHATWG event-stream rules): feed the bytes
 * as they arrive, in chunks cut anywhere, and get whole events. Lines end with LF, CR or CRLF;
 * comment lines ({@code :}) are counted, not dispatched; several {@code data:} lines are joined
 * with LF; a blank line dispatches the event if it has data.
 */
public final class SseParser {

  /** Receives each event once its blank line arrived. */
  public interface Listener {
    /**
     * @param id the {@code id:} of this event, null when it had none (unlike EventSource's
     *     lastEventId, it is not carried over from earlier events, so a missing id shows)
     * @param type the {@code event:} field, {@code message} when absent
     * @param data the {@code data:} lines joined with LF
     */
    void onEvent(String id, String type, String data);
  }

  private final Listener listener;
  private byte[] line = new byte[512];
  private int lineLength;
  private boolean afterCr;
  private String id;
  private String type;
  private StringBuilder data;
  private long retryMs = -1;
  private long comments;

  public SseParser(Listener listener) {
    this.listener = listener;
  }

  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  public void feed(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        if (afterCr) {
          afterCr = false;
        } else {
          endLine();
        }
      } else if (b == '\r') {
        endLine();
        afterCr = true;
      } else {
        afterCr = false;
        if (lineLength == line.length) {
          line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
      }
    }
  }

  /** The last {@code retry:} value, -1 if none came. */
  public long retryMs() {
    return retryMs;
  }

  /** Comment lines seen (the hub's heartbeats). */
  public long comments() {
    return comments;
  }

  private void endLine() {
    if (lineLength == 0) {
      dispatch();
      return;
    }
    String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
    lineLength = 0;
    if (text.charAt(0) == ':') {
      comments++;
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    int start = colon < 0 ? text.length() : colon + 1;
    if (start < text.length() && text.charAt(start) == ' ') {
      start++;
    }
    String value = text.substring(start);
    switch (field) {
      case "data":
        if (data == null) {
          data = new StringBuilder(value.length());
        } else {
          data.append('\n');
        }
        data.append(value);
        break;
      case "event":
        type = value;
        break;
      case "id":
        if (value.indexOf('\0') < 0) {
          id = value;
        }
        break;
      case "retry":
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
          retryMs = Long.parseLong(value);
        }
        break;
      default:
        break;
    }
  }

  private void dispatch() {
    if (data != null) {
      listener.onEvent(id, type == null || type.isEmpty() ? "message" : type, data.toString());
    }
    id = null;
    type = null;
    data = null;
  }
}
