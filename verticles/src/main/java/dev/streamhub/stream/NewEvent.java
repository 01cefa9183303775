package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/** An event before the store has given it an offset. */
public record NewEvent(EventType type, JsonObject data) {

  public NewEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  public static NewEvent delta(String text) {
    // One small immutable map rather than a LinkedHashMap and its table: made once per token, and
    // never kept (Event keeps a plain delta's text alone) nor modified.
    return new NewEvent(EventType.DELTA, text == null ? new JsonObject().putNull("text") : new JsonObject(Map.of("text", text)));
  }

  public static NewEvent usage(int promptTokens, int completionTokens) {
    return new NewEvent(EventType.USAGE, new JsonObject()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens));
  }

  public static NewEvent done(String finishReason) {
    return new NewEvent(EventType.DONE, new JsonObject().put("finish_reason", finishReason));
  }

  public static NewEvent error(HubException err) {
    return new NewEvent(EventType.ERROR, new JsonObject().put("code", err.code().code()).put("message", err.getMessage()));
  }

  public static NewEvent cancelled(String reason) {
    return new NewEvent(EventType.CANCELLED, new JsonObject().put("reason", reason));
  }

  /**
   * The data as JSON text, what {@code data().encode()} gives; a plain delta ({@code {"text": ...}},
   * one per token) is written by {@link JsonText} without a Jackson generator (its unpaired
   * surrogates escaped, so the text survives UTF-8). For stores that keep events as text.
   */
  public String dataJson() {
    if (data.size() == 1 && data.getValue("text") instanceof String s) {
      return JsonText.quote(new StringBuilder(s.length() + 12).append("{\"text\":"), s).append('}').toString();
    }
    return data.encode();
  }

  public Event at(String stream, long offset, long ts) {
    return new Event(stream, offset, type, data, ts);
  }
}
