package dev.streamhub.worker;

import dev.streamhub.limits.Quota;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A generation request, from the client's body to the worker: one record for both (it was
 * {@code ChatRequest} at the edge and {@code GenerateRequest} on the bus).
 *
 * <p>At the edge, {@link #parse} validates a {@code /v1/chat/completions}, {@code POST /v1/streams}
 * or WebSocket {@code response.create} body (every problem a {@code bad_request} naming the field);
 * the hub then assigns {@link #withOwner owner} and {@link #withStream stream}, and sends
 * {@link #toJson} to {@code streamhub.generate.<model>}. The stream already exists in the log then;
 * the worker that takes the request ({@link #fromJson}) appends its events.
 *
 * @param stream the stream the worker appends to; null until the hub created it
 * @param owner who the stream belongs to; null until the edge knows the principal
 * @param maxTokens {@code max_tokens} or {@code max_completion_tokens}, or 0 for the worker's default
 * @param seed the client's seed, or null
 * @param streaming the client's {@code stream} flag (SSE chunks, or one JSON answer); edge only
 * @param includeUsage {@code stream_options.include_usage}; edge only
 * @param conversation the {@code conversation} field, parsed by {@link ConversationField#parse}:
 *     null for none, {@link ConversationField#NEW}, or an id; edge only (the worker gets the whole
 *     context in {@code messages})
 * @param quota the limit keys it counts against (on the bus {@code "quota"}; absent: {@link Quota#NONE})
 */
public record GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed,
    boolean streaming, boolean includeUsage, String conversation, Quota quota) {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  public GenerateRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(messages, "messages");
    quota = quota == null ? Quota.NONE : quota;
  }

  /** A client's request before the edge stamped it ({@link #withQuota}): counted against no quota yet. */
  public GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed,
      boolean streaming, boolean includeUsage, String conversation) {
    this(stream, model, owner, messages, maxTokens, seed, streaming, includeUsage, conversation, Quota.NONE);
  }

  /** A request as a worker receives it: stream and owner assigned, no edge-only flags. */
  public GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed) {
    this(stream, model, owner, messages, maxTokens, seed, Quota.NONE);
  }

  /** A request as a worker receives it, counted against {@code quota}. */
  public GenerateRequest(String stream, String model, String owner, JsonArray messages, int maxTokens, Long seed, Quota quota) {
    this(Objects.requireNonNull(stream, "stream"), model, Objects.requireNonNull(owner, "owner"), messages, maxTokens, seed, false, false,
        null, quota);
  }

  /** The same request on behalf of {@code owner}. */
  public GenerateRequest withOwner(String owner) {
    return new GenerateRequest(stream, model, owner, messages, maxTokens, seed, streaming, includeUsage, conversation, quota);
  }

  /** The same request for the stream the hub created for it. */
  public GenerateRequest withStream(String stream) {
    return new GenerateRequest(stream, model, owner, messages, maxTokens, seed, streaming, includeUsage, conversation, quota);
  }

  /** The same request counted against {@code quota} (the limit keys of its owner). */
  public GenerateRequest withQuota(Quota quota) {
    return new GenerateRequest(stream, model, owner, messages, maxTokens, seed, streaming, includeUsage, conversation, quota);
  }

  /** The same request with {@code messages} as the model's input (a conversation's context before the new turn). */
  public GenerateRequest withMessages(JsonArray messages) {
    return new GenerateRequest(stream, model, owner, messages, maxTokens, seed, streaming, includeUsage, conversation, quota);
  }

  /** A client's body, validated; {@code bad_request} naming the field otherwise. */
  public static GenerateRequest parse(Buffer body) {
    return fromClient(parseObject(body));
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

  /** A client's JSON body (OpenAI's chat completion request), validated; no stream or owner yet. */
  public static GenerateRequest fromClient(JsonObject json) {
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
    return new GenerateRequest(null, (String) model, null, list, maxTokens, seed == null ? null : ((Number) seed).longValue(),
        stream, includeUsage, ConversationField.parse(json.getValue("conversation")));
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
