package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One event of a stream, at its offset. {@code ts} is when the store appended it, in microseconds
 * since the epoch (clients on the same clock measure publish-to-receive latency with it).
 * {@code data} is never modified after construction.
 */
public record Event(String stream, long offset, EventType type, JsonObject data, long ts) {

  public Event {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
  }

  /** The wire form: {@code {"stream", "offset", "type", "data", "ts"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("stream", stream)
        .put("offset", offset)
        .put("type", type.wire())
        .put("data", data)
        .put("ts", ts);
  }

  public static Event fromJson(JsonObject json) {
    return new Event(
        json.getString("stream"),
        json.getLong("offset"),
        EventType.parse(json.getString("type")),
        json.getJsonObject("data", new JsonObject()),
        json.getLong("ts", 0L));
  }
}
