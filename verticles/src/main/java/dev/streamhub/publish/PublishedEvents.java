package dev.streamhub.publish;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.Utf16;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Events a publisher sends (over HTTP or the bridge): one {@code {"type","data"}} object or a
 * non-empty array of them. {@code data} is opaque, except for the few fields transports read
 * ({@code delta.text}, {@code binary.base64}, {@code error.code}/{@code message},
 * {@code done.finish_reason}), which must have the right type so that every reader can render the
 * event. Every problem is a {@code bad_request} naming the event and field. A string (or key) with
 * an unpaired UTF-16 surrogate ({@code "\}{@code ud83d"} alone: legal JSON, but no character) is
 * refused with {@code bad_request} naming where it is, rather than kept: no transport could send it
 * as UTF-8 unchanged.
 */
public final class PublishedEvents {

  private static final Set<String> FIELDS = Set.of("type", "data");
  private static final Map<EventType, List<String>> STRING_FIELDS = Map.of(
      EventType.DELTA, List.of("text"),
      EventType.BINARY, List.of("base64"),
      EventType.ERROR, List.of("code", "message"),
      EventType.CANCELLED, List.of("reason"),
      EventType.DONE, List.of("finish_reason"));

  private PublishedEvents() {}

  /** One event object, or an array of them. */
  public static List<NewEvent> parse(Object json) {
    if (json instanceof JsonObject) {
      return List.of(event((JsonObject) json, "the event"));
    }
    if (!(json instanceof JsonArray) || ((JsonArray) json).isEmpty()) {
      throw bad("the body must be an event object {\"type\",\"data\"} or a non-empty array of them");
    }
    JsonArray array = (JsonArray) json;
    List<NewEvent> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject)) {
        throw bad("events[" + i + "] must be an object {\"type\",\"data\"}");
      }
      events.add(event((JsonObject) item, "events[" + i + "]"));
    }
    for (int i = 0; i < events.size() - 1; i++) {
      if (events.get(i).type().isTerminal()) {
        throw bad("events[" + i + "] is terminal (" + events.get(i).type().wire() + ") but not the last event");
      }
    }
    return events;
  }

  private static NewEvent event(JsonObject json, String where) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw bad(where + " has an unknown field '" + field + "'; an event is {\"type\",\"data\"}");
      }
    }
    Object type = json.getValue("type");
    if (!(type instanceof String)) {
      throw bad(where + ".type must be one of delta, binary, usage, done, error, cancelled");
    }
    EventType parsed;
    try {
      parsed = EventType.parse((String) type);
      if (parsed == EventType.SNAPSHOT) {
        throw bad("snapshot is made by compact reads, not published");
      }
    } catch (HubException e) {
      throw bad(where + ".type must be one of delta, binary, usage, done, error, cancelled, got '" + type + "'");
    }
    Object data = json.getValue("data");
    if (data != null && !(data instanceof JsonObject)) {
      throw bad(where + ".data must be a JSON object");
    }
    JsonObject body = data == null ? new JsonObject() : (JsonObject) data;
    for (String field : STRING_FIELDS.getOrDefault(parsed, List.of())) {
      Object value = body.getValue(field);
      if (value != null && !(value instanceof String)) {
        throw bad(where + ".data." + field + " must be a string");
      }
    }
    if (parsed == EventType.BINARY && !isBase64(body.getValue("base64"))) {
      throw bad(where + ".data.base64 must be the payload in base64");
    }
    String lone = Utf16.describeLoneSurrogate(body, where + ".data");
    if (lone != null) {
      throw bad(lone);
    }
    return new NewEvent(parsed, body);
  }

  private static boolean isBase64(Object value) {
    if (!(value instanceof String)) {
      return false;
    }
    try {
      Base64.getDecoder().decode((String) value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
