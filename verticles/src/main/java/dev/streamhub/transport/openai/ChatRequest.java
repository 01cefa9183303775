package dev.streamhub.transport.openai;

import dev.streamhub.conversation.ConversationIds;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A validated {@code /v1/chat/completions} (or {@code POST /v1/streams}) body. Every problem is a
 * {@code bad_request} whose message names the field.
 *
 * @param maxTokens {@code max_tokens} or {@code max_completion_tokens}, 0 when absent
 * @param conversation the {@code conversation} field, parsed by {@link ConversationIds#parseField}: null for none
 */
public record ChatRequest(String model, JsonArray messages, boolean stream, int maxTokens, Long seed, boolean includeUsage,
    String conversation) {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  public static ChatRequest parse(Buffer body) {
    return fromJson(parseObject(body));
  }

  /** The body as a JSON object, or {@code bad_request}. */
  public static JsonObject parseObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw bad("the request body must be a JSON object");
    }
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw bad("the request body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (!(parsed instanceof JsonObject)) {
      throw bad("the request body must be a JSON object");
    }
    return (JsonObject) parsed;
  }

  public static ChatRequest fromJson(JsonObject json) {
    Object model = json.getValue("model");
    if (!(model instanceof String) || ((String) model).isBlank()) {
      throw bad("'model' is required and must be a non-empty string");
    }
    Object messages = json.getValue("messages");
    if (!(messages instanceof JsonArray) || ((JsonArray) messages).isEmpty()) {
      throw bad("'messages' is required and must be a non-empty array");
    }
    JsonArray list = (JsonArray) messages;
    for (int i = 0; i < list.size(); i++) {
      checkMessage(list.getValue(i), i);
    }
    boolean stream = bool(json, "stream");
    int maxTokens = positiveInt(json, json.containsKey("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
    Object seed = json.getValue("seed");
    if (seed != null && !isInteger(seed)) {
      throw bad("'seed' must be an integer");
    }
    Object n = json.getValue("n");
    if (n != null && !(isInteger(n) && ((Number) n).intValue() == 1)) {
      throw bad("'n' must be 1: one choice per request");
    }
    boolean includeUsage = false;
    Object options = json.getValue("stream_options");
    if (options != null) {
      if (!(options instanceof JsonObject)) {
        throw bad("'stream_options' must be an object");
      }
      if (!stream) {
        throw bad("'stream_options' is only allowed when 'stream' is true");
      }
      includeUsage = bool((JsonObject) options, "include_usage");
    }
    return new ChatRequest((String) model, list, stream, maxTokens, seed == null ? null : ((Number) seed).longValue(), includeUsage,
        ConversationIds.parseField(json.getValue("conversation")));
  }

  private static void checkMessage(Object value, int index) {
    if (!(value instanceof JsonObject)) {
      throw bad("'messages[" + index + "]' must be an object");
    }
    JsonObject message = (JsonObject) value;
    Object role = message.getValue("role");
    if (!(role instanceof String) || !ROLES.contains(role)) {
      throw bad("'messages[" + index + "].role' must be one of " + ROLES);
    }
    Object content = message.getValue("content");
    boolean ok = content instanceof String || content instanceof JsonArray || (content == null && "assistant".equals(role));
    if (!ok) {
      throw bad("'messages[" + index + "].content' must be a string or an array of content parts");
    }
  }

  private static boolean bool(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean)) {
      throw bad("'" + field + "' must be true or false");
    }
    return (Boolean) value;
  }

  private static int positiveInt(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return 0;
    }
    if (!isInteger(value) || ((Number) value).longValue() < 1 || ((Number) value).longValue() > 1_000_000) {
      throw bad("'" + field + "' must be an integer from 1 to 1000000");
    }
    return ((Number) value).intValue();
  }

  private static boolean isInteger(Object value) {
    return value instanceof Integer || value instanceof Long
        || (value instanceof Number && ((Number) value).doubleValue() % 1 == 0 && !(value instanceof Float));
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
