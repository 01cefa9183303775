package dev.streamhub;

import java.util.ArrayList;
import java.util.List;

/**
 * One SSE frame as it was on the wire ({@code raw}, without the blank line that ends it) and its
 * fields. A comment-only frame (a heartbeat) has {@code comment} set and no data.
 */
public record SseFrame(String raw, String id, String event, String data, String retry, String comment) {

  public static SseFrame parse(String raw) {
    String id = null;
    String event = null;
    String data = null;
    String retry = null;
    String comment = null;
    for (String line : raw.split("\n", -1)) {
      if (line.startsWith(":")) {
        comment = line.substring(1).trim();
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (name) {
        case "id": id = value; break;
        case "event": event = value; break;
        case "data": data = data == null ? value : data + "\n" + value; break;
        case "retry": retry = value; break;
        default: throw new AssertionError("unexpected SSE field in frame: " + raw);
      }
    }
    return new SseFrame(raw, id, event, data, retry, comment);
  }

  /** Splits a whole {@code text/event-stream} body into frames; fails on a trailing partial frame. */
  public static List<SseFrame> parseAll(String body) {
    List<SseFrame> frames = new ArrayList<>();
    int start = 0;
    int end;
    while ((end = body.indexOf("\n\n", start)) >= 0) {
      frames.add(parse(body.substring(start, end)));
      start = end + 2;
    }
    if (start != body.length()) {
      throw new AssertionError("SSE body ends inside a frame: '" + body.substring(start) + "'");
    }
    return frames;
  }

  /** True for frames that carry an event (an id or data), not the retry hint or a heartbeat. */
  public boolean isEvent() {
    return data != null;
  }

  public long offset() {
    return Long.parseLong(id);
  }

  /** The offsets of the event frames, in order. */
  public static List<Long> offsets(List<SseFrame> frames) {
    List<Long> offsets = new ArrayList<>();
    for (SseFrame f : frames) {
      if (f.isEvent() && f.id() != null) {
        offsets.add(f.offset());
      }
    }
    return offsets;
  }

  /** Only the frames that carry events. */
  public static List<SseFrame> events(List<SseFrame> frames) {
    List<SseFrame> events = new ArrayList<>();
    for (SseFrame f : frames) {
      if (f.isEvent()) {
        events.add(f);
      }
    }
    return events;
  }
}
