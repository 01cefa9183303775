package dev.streamhub.transport.responses;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.worker.GenerateRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A {@code POST /v1/responses} body, validated, as the hub's {@link GenerateRequest} plus the two
 * flags of the Responses API. Supported fields: {@code model}, {@code input} (a string, or an array
 * of message items {@code {"role", "content"}} whose content is a string or
 * {@code input_text}/{@code output_text} parts), {@code instructions} (a system message first),
 * {@code max_output_tokens}, {@code previous_response_id} (a string; the handler resolves it),
 * {@code stream}, {@code background}, {@code store} (only {@code true}: every response is kept in
 * the log). Every other field is refused with {@code bad_request} naming it: never silently ignored.
 *
 * @param generate what the worker runs (no owner or stream yet): the input's messages only (the
 *     instructions go first at start, {@link ResponseRecord#messages}), {@code max_output_tokens} as its token cap
 * @param record the fields the response object echoes (no owner or conversation yet)
 * @param stream the client reads the typed event sequence as SSE
 * @param background answer at once (stream:false) with the response {@code in_progress}
 */
record ResponsesRequest(GenerateRequest generate, ResponseRecord record, boolean stream, boolean background) {

  static final Set<String> SUPPORTED = Set.of("model", "input", "instructions", "max_output_tokens", "previous_response_id", "stream",
      "background", "store");
  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");

  static ResponsesRequest parse(Buffer body) {
    JsonObject json = GenerateRequest.parseObject(body);
    for (String field : json.fieldNames()) {
      if (!SUPPORTED.contains(field)) {
        throw bad("'" + field + "' is not supported by this hub; supported fields: " + new java.util.TreeSet<>(SUPPORTED));
      }
    }
    Object store = json.getValue("store");
    if (store != null && !Boolean.TRUE.equals(store)) {
      throw bad("'store' may only be true: every response is kept in the stream log until retention drops it");
    }
    JsonArray messages = new JsonArray();
    Object instructions = json.getValue("instructions");
    if (instructions != null) {
      if (!(instructions instanceof String)) {
        throw bad("'instructions' must be a string");
      }
    }
    Object previous = json.getValue("previous_response_id");
    if (previous != null && !(previous instanceof String)) {
      throw bad("'previous_response_id' must be a response id (\"resp_...\")");
    }
    Object input = json.getValue("input");
    if (input instanceof String) {
      messages.add(new JsonObject().put("role", "user").put("content", input));
    } else if (input instanceof JsonArray && !((JsonArray) input).isEmpty()) {
      JsonArray items = (JsonArray) input;
      for (int i = 0; i < items.size(); i++) {
        messages.add(message(items.getValue(i), i));
      }
    } else {
      throw bad("'input' is required: a string or a non-empty array of message items");
    }
    JsonObject chat = new JsonObject().put("model", json.getValue("model")).put("messages", messages)
        .put("stream", json.getValue("stream"));
    if (json.containsKey("max_output_tokens")) {
      chat.put("max_tokens", json.getValue("max_output_tokens"));
    }
    GenerateRequest generate;
    try {
      generate = GenerateRequest.fromClient(chat);
    } catch (HubException e) {
      throw bad(e.getMessage().replace("'max_tokens'", "'max_output_tokens'"));
    }
    Object background = json.getValue("background");
    if (background != null && !(background instanceof Boolean)) {
      throw bad("'background' must be true or false");
    }
    ResponseRecord record = new ResponseRecord(null, null, (String) instructions,
        generate.maxTokens() > 0 ? generate.maxTokens() : null, (String) previous);
    return new ResponsesRequest(generate, record, generate.streaming(), Boolean.TRUE.equals(background));
  }

  /** One input item as a chat message: {@code {"type":"message"?, "role", "content"}}. */
  private static JsonObject message(Object value, int index) {
    String where = "'input[" + index + "]";
    if (!(value instanceof JsonObject)) {
      throw bad(where + "' must be a message item object");
    }
    JsonObject item = (JsonObject) value;
    String type = item.getString("type", "message");
    if (!type.equals("message")) {
      throw bad(where + ".type' '" + type + "' is not supported: only message items");
    }
    Object role = item.getValue("role");
    if (!(role instanceof String) || !ROLES.contains(role)) {
      throw bad(where + ".role' must be one of " + ROLES);
    }
    Object content = item.getValue("content");
    if (content instanceof String) {
      return new JsonObject().put("role", role).put("content", content);
    }
    if (!(content instanceof JsonArray)) {
      throw bad(where + ".content' must be a string or an array of input_text parts");
    }
    StringBuilder text = new StringBuilder();
    JsonArray parts = (JsonArray) content;
    for (int i = 0; i < parts.size(); i++) {
      Object part = parts.getValue(i);
      String partType = part instanceof JsonObject ? ((JsonObject) part).getString("type") : null;
      if (!"input_text".equals(partType) && !"output_text".equals(partType)) {
        throw bad(where + ".content[" + i + "]' must be an input_text or output_text part (other content is not supported)");
      }
      text.append(((JsonObject) part).getString("text", ""));
    }
    return new JsonObject().put("role", role).put("content", text.toString());
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
