package dev.streamhub.worker;

import dev.streamhub.limits.Quota;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A generation request, as sent to {@code streamhub.generate.<model>}. The stream already exists
 * in the log; the worker that takes the request appends its events.
 *
 * @param maxTokens the client's cap, or 0 for the worker's default
 * @param seed the client's seed, or null
 * @param quota the limit keys it counts against ({@code "quota"}; absent: none)
 */
public record GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed, Quota quota) {

  public GenerateRequest {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(messages, "messages");
    quota = quota == null ? Quota.NONE : quota;
  }

  public GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed) {
    this(stream, model, owner, messages, maxTokens, seed, Quota.NONE);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("stream", stream)
        .put("model", model)
        .put("owner", owner)
        .put("messages", messages)
        .put("max_tokens", maxTokens)
        .put("seed", seed)
        .put("quota", quota.none() ? null : quota.toJson());
  }

  public static GenerateRequest fromJson(JsonObject json) {
    return new GenerateRequest(json.getString("stream"), json.getString("model"), json.getString("owner"),
        json.getJsonArray("messages", new JsonArray()), json.getInteger("max_tokens", 0), json.getLong("seed"),
        Quota.fromJson(json.getJsonObject("quota")));
  }

  /** The text of the last message with role {@code user}, or "" if there is none. */
  public String lastUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject message = messages.getJsonObject(i);
      if ("user".equals(message.getString("role"))) {
        return textOf(message);
      }
    }
    return "";
  }

  /** A message's text: its string content, or the text parts of an array content. */
  public static String textOf(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String) {
      return (String) content;
    }
    StringBuilder text = new StringBuilder();
    if (content instanceof JsonArray) {
      for (Object part : (JsonArray) content) {
        if (part instanceof JsonObject && "text".equals(((JsonObject) part).getString("type"))) {
          text.append(((JsonObject) part).getString("text", ""));
        }
      }
    }
    return text.toString();
  }
}
