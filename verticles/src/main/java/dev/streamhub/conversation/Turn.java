package dev.streamhub.conversation;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One message of a conversation. A {@code user} turn holds what the client sent; an
 * {@code assistant} turn holds the answer of {@code stream} once it ended: {@code status}
 * {@code done} (the whole text), {@code error} (the text so far and {@code error} {code, message}),
 * {@code cancelled} (the text so far), or {@code pending} while it runs, {@code lost} when its
 * stream expired before the answer was recorded. Only {@code done} answers are context for later turns.
 *
 * @param error null unless {@code status} is {@code error}
 */
public record Turn(String role, String content, String stream, String status, JsonObject error) {

  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String PENDING = "pending";
  public static final String DONE = "done";
  public static final String LOST = "lost";

  public Turn {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  static Turn user(String content, String stream) {
    return new Turn(USER, content, stream, null, null);
  }

  static Turn pendingAnswer(String stream) {
    return new Turn(ASSISTANT, "", stream, PENDING, null);
  }

  boolean pending() {
    return PENDING.equals(status);
  }

  /** Whether a model sees this turn as context: user turns, and answers that finished. */
  boolean isContext() {
    return USER.equals(role) || DONE.equals(status);
  }

  /** The message a model is given: {@code {role, content}}. */
  JsonObject message() {
    return new JsonObject().put("role", role).put("content", content);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("role", role).put("content", content);
    if (stream != null) {
      json.put("stream", stream);
    }
    if (status != null) {
      json.put("status", status);
    }
    if (error != null) {
      json.put("error", error);
    }
    return json;
  }

  static Turn fromJson(JsonObject json) {
    return new Turn(json.getString("role"), json.getString("content", ""), json.getString("stream"),
        json.getString("status"), json.getJsonObject("error"));
  }
}
