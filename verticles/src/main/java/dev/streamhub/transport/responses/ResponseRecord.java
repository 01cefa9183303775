package dev.streamhub.transport.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the hub keeps of a response beyond its log, as the conversations' store keeps it under the
 * response id ({@code Conversations#remember}, for {@code conversation_ttl_seconds}): whose it is,
 * the conversation its turns went to (what {@code previous_response_id} continues), and the request
 * fields the response object echoes. Stored JSON:
 * {@code {"owner", "conversation", "instructions", "max_output_tokens", "previous_response_id"}}.
 *
 * @param owner the principal that created it (JWT {@code sub}, or {@code anonymous}); null before it is known
 * @param conversation the conversation ({@code cv_...}) holding its turns; null before it is known
 * @param instructions the request's {@code instructions}, or null; never carried to a later response (as OpenAI)
 * @param maxOutputTokens the request's {@code max_output_tokens}, or null
 * @param previousResponseId the request's {@code previous_response_id}, or null
 */
record ResponseRecord(String owner, String conversation, String instructions, Integer maxOutputTokens, String previousResponseId) {

  /** A response whose record is gone (expired) or was never kept: every echoed field null. */
  static final ResponseRecord NONE = new ResponseRecord(null, null, null, null, null);

  /** The same fields, now with the owner and the conversation the turns went to. */
  ResponseRecord stored(String owner, String conversation) {
    return new ResponseRecord(owner, conversation, instructions, maxOutputTokens, previousResponseId);
  }

  /** The model's messages: the instructions as a system message first, then {@code context}. */
  JsonArray messages(JsonArray context) {
    if (instructions == null) {
      return context;
    }
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "system").put("content", instructions));
    context.forEach(messages::add);
    return messages;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("owner", owner)
        .put("conversation", conversation)
        .put("instructions", instructions)
        .put("max_output_tokens", maxOutputTokens)
        .put("previous_response_id", previousResponseId);
  }

  /** A stored record; {@link #NONE} for null. */
  static ResponseRecord fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    return new ResponseRecord(json.getString("owner"), json.getString("conversation"), json.getString("instructions"),
        json.getInteger("max_output_tokens"), json.getString("previous_response_id"));
  }
}
