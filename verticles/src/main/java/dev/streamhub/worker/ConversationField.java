package dev.streamhub.worker;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import java.util.regex.Pattern;

/**
 * The {@code conversation} field of a generation request: absent, null or {@code false} for none,
 * {@code true} or {@code "new"} to start one, or the id of one to continue (the shape
 * {@code conversation.ConversationIds} gives: {@code cv_} and 22 base64url characters). Here, below
 * {@code conversation/}, so that {@link GenerateRequest} parses it without using that package.
 */
public final class ConversationField {

  /** The value of a parsed {@code conversation} field that asks for a new conversation. */
  public static final String NEW = "new";

  private static final Pattern SHAPE = Pattern.compile("cv_[A-Za-z0-9_-]{22}");

  private ConversationField() {}

  /** Whether {@code id} has the shape of a conversation id ({@code cv_} and 22 base64url characters). */
  public static boolean looksLikeId(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /**
   * The {@code conversation} field of a request body: null (none), {@link #NEW}, or a conversation
   * id. Fails with {@code bad_request} for anything else.
   */
  public static String parse(Object value) {
    if (value == null || Boolean.FALSE.equals(value)) {
      return null;
    }
    if (Boolean.TRUE.equals(value) || NEW.equals(value)) {
      return NEW;
    }
    if (value instanceof String && looksLikeId((String) value)) {
      return (String) value;
    }
    throw new HubException(ErrorCode.BAD_REQUEST,
        "'conversation' must be true or \"new\" (start one) or a conversation id (\"cv_...\") to continue one");
  }
}
