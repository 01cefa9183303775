package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;
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
  /** Null for a plain delta, whose data is kept as {@link #text} alone. */
  private final JsonObject data;
  /** A delta's text when its data is exactly {@code {"text": <string>}}, else null. */
  private final String text;
  private final long ts;
  private volatile String wire;

  public Event(String stream, long offset, EventType type, JsonObject data, long ts) {
    this.stream = Objects.requireNonNull(stream, "stream");
    this.type = Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    // A log keeps up to max_events_per_stream of these per stream: a plain delta keeps its text and
    // not a JsonObject with its map, table and entry (about 190 bytes less per event).
    if (data.size() == 1 && data.getValue("text") instanceof String s) {
      this.text = s;
      this.data = null;
    } else {
      this.text = null;
      this.data = data;
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    this.offset = offset;
    this.ts = ts;
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
    return data != null ? data : new JsonObject().put("text", text);
  }

  public long ts() {
    return ts;
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
   * The same text as {@code toJson().encode()}, written directly: the envelope by hand, and
   * {@code data} by hand too when it is a delta's {@code {"text": ...}}, by Jackson otherwise.
   * Building a {@code JsonObject} and a generator per token cost more than the rest of its way
   * through the hub; {@code EventTest} holds the two encodings equal.
   */
  private String encode() {
    String encodedData = text == null ? data.encode() : null;
    // The envelope is at most 96 characters besides the stream id and the data.
    StringBuilder out = new StringBuilder(96 + stream.length() + (text == null ? encodedData.length() : text.length() + 16));
    JsonText.quote(out.append("{\"stream\":"), stream)
        .append(",\"offset\":").append(offset)
        .append(",\"type\":\"").append(type.wire())
        .append("\",\"data\":");
    if (text == null) {
      out.append(encodedData);
    } else {
      JsonText.quote(out.append("{\"text\":"), text).append('}');
    }
    return out.append(",\"ts\":").append(ts).append('}').toString();
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
