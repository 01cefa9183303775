package dev.streamhub.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One event of a stream, at its offset. {@code ts} is when the store appended it, in microseconds
 * since the epoch (clients on the same clock measure publish-to-receive latency with it).
 * {@code data} is never modified after construction.
 *
 * <p>A value class rather than a record so that it can keep its wire form: every transport sends
 * the same JSON text, and a stream read by many clients is encoded once, not once per reader.
 */
public final class Event {

  private final String stream;
  private final long offset;
  private final EventType type;
  /** Null for a plain delta, whose data is kept inside its wire form. */
  private final JsonObject data;
  /** A plain delta's text when it had to be escaped in the wire form; else null. */
  private final String text;
  /** Where a plain delta's unescaped text lies in its wire form; -1 otherwise. */
  private final int textStart;
  private final int textEnd;
  private final long ts;
  private volatile String wire;

  public Event(String stream, long offset, EventType type, JsonObject data, long ts) {
    this.stream = Objects.requireNonNull(stream, "stream");
    this.type = Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    this.offset = offset;
    this.ts = ts;
    // A log keeps up to max_events_per_stream of these per stream. A plain delta ({"text": ...},
    // one per token) is encoded at once and keeps only its wire form, where its text can be found
    // again: no JsonObject with its map, table and entry, no second copy of the text.
    if (data.size() == 1 && data.getValue("text") instanceof String s) {
      StringBuilder out = envelope(s.length() + 16).append("{\"text\":");
      int start = out.length() + 1;
      JsonText.quote(out, s);
      int end = out.length() - 1;
      boolean unescaped = end - start == s.length();
      this.data = null;
      this.text = unescaped ? null : s;
      this.textStart = unescaped ? start : -1;
      this.textEnd = unescaped ? end : -1;
      this.wire = out.append("},\"ts\":").append(ts).append('}').toString();
    } else {
      this.data = data;
      this.text = null;
      this.textStart = -1;
      this.textEnd = -1;
    }
  }

  /** An event as {@link #readFrom} rebuilds it: every field given, nothing encoded again. */
  private Event(String stream, long offset, EventType type, JsonObject data, String text, int textStart, int textEnd, long ts, String wire) {
    this.stream = stream;
    this.offset = offset;
    this.type = type;
    this.data = data;
    this.text = text;
    this.textStart = textStart;
    this.textEnd = textEnd;
    this.ts = ts;
    this.wire = wire;
  }

  /**
   * Appends this event (not its stream id, which the caller writes once per batch) in the binary
   * form nodes of a cluster pass each other: offset (8 bytes), ts (8), type (1, its ordinal), the
   * wire text (4-byte length, then UTF-8), then a mark byte: 1 for a plain delta, followed by its
   * text's position in the wire text (two 4-byte ints; -1 when the text is escaped there, and then
   * the text itself, length and UTF-8), 0 for any other event, followed by its data as JSON text.
   * The receiver rebuilds the same event, wire text included, with no JSON parse for a delta
   * ({@link #readFrom}).
   */
  public void writeTo(Buffer out) {
    out.appendLong(offset).appendLong(ts).appendByte((byte) type.ordinal());
    appendText(out, wire());
    if (data == null) {
      out.appendByte((byte) 1).appendInt(textStart).appendInt(textEnd);
      if (textStart < 0) {
        appendText(out, text);
      }
    } else {
      appendText(out.appendByte((byte) 0), Utf16.escapeLoneSurrogates(data.encode()));
    }
  }

  /**
   * Reads an event of {@code stream} that {@link #writeTo} wrote at {@code at[0]} of {@code in},
   * and moves {@code at[0]} past it.
   */
  public static Event readFrom(String stream, Buffer in, int[] at) {
    long offset = in.getLong(at[0]);
    long ts = in.getLong(at[0] + 8);
    EventType type = EventType.values()[in.getByte(at[0] + 16)];
    at[0] += 17;
    String wire = readText(in, at);
    boolean plain = in.getByte(at[0]) == 1;
    at[0] += 1;
    if (plain) {
      int start = in.getInt(at[0]);
      int end = in.getInt(at[0] + 4);
      at[0] += 8;
      String text = start < 0 ? readText(in, at) : null;
      return new Event(stream, offset, type, null, text, start, end, ts, wire);
    }
    return new Event(stream, offset, type, new JsonObject(readText(in, at)), null, -1, -1, ts, wire);
  }

  /** A string as its UTF-8 length (4 bytes) and bytes. */
  public static void appendText(Buffer out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  /** The string {@link #appendText} wrote at {@code at[0]}; moves {@code at[0]} past it. */
  public static String readText(Buffer in, int[] at) {
    int length = in.getInt(at[0]);
    String text = in.getString(at[0] + 4, at[0] + 4 + length);
    at[0] += 4 + length;
    return text;
  }

  public String stream() {
    return stream;
  }

  public long offset() {
    return offset;
  }

  public EventType type() {
    return type;
  }

  /** The event's data; a plain delta's is made anew on each call, so callers must not rely on identity. */
  public JsonObject data() {
    if (data != null) {
      return data;
    }
    return new JsonObject().put("text", text != null ? text : wire.substring(textStart, textEnd));
  }

  public long ts() {
    return ts;
  }

  /**
   * A plain delta's text (type {@code delta}, data exactly {@code {"text": string}}), else null:
   * what a compact read merges into a snapshot. A delta with other fields in its data is not plain.
   */
  public String plainDeltaText() {
    if (type != EventType.DELTA || data != null) {
      return null;
    }
    return text != null ? text : wire.substring(textStart, textEnd);
  }

  /** The wire form: {@code {"stream", "offset", "type", "data", "ts"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("stream", stream)
        .put("offset", offset)
        .put("type", type.wire())
        .put("data", data())
        .put("ts", ts);
  }

  /** {@link #toJson()} as text, encoded once per event (a race encodes twice, harmlessly). */
  public String wire() {
    String encoded = wire;
    if (encoded == null) {
      encoded = encode();
      wire = encoded;
    }
    return encoded;
  }

  /**
   * The same text as {@code toJson().encode()}, the envelope written by hand and {@code data} by
   * Jackson (a plain delta's is written in the constructor, by hand too). Building a
   * {@code JsonObject} and a generator per token cost more than the rest of its way through the
   * hub; {@code EventTest} holds the two encodings equal. An unpaired surrogate (which the log
   * never takes, see {@link Utf16}) would be written as its {@code \}{@code uXXXX} escape, never as
   * the {@code ?} a UTF-8 encoder puts in its place.
   */
  private String encode() {
    String encodedData = Utf16.escapeLoneSurrogates(data.encode());
    return envelope(encodedData.length()).append(encodedData).append(",\"ts\":").append(ts).append('}').toString();
  }

  /** {@code {"stream":..,"offset":..,"type":..,"data":}, with room for {@code dataLength} more and the ts. */
  private StringBuilder envelope(int dataLength) {
    // The envelope is at most 96 characters besides the stream id and the data.
    StringBuilder out = new StringBuilder(96 + stream.length() + dataLength);
    return JsonText.quote(out.append("{\"stream\":"), stream)
        .append(",\"offset\":").append(offset)
        .append(",\"type\":\"").append(type.wire())
        .append("\",\"data\":");
  }

  public static Event fromJson(JsonObject json) {
    return new Event(
        json.getString("stream"),
        json.getLong("offset"),
        EventType.parse(json.getString("type")),
        json.getJsonObject("data", new JsonObject()),
        json.getLong("ts", 0L));
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Event && wire().equals(((Event) o).wire()));
  }

  @Override
  public int hashCode() {
    return wire().hashCode();
  }

  @Override
  public String toString() {
    return wire();
  }
}
