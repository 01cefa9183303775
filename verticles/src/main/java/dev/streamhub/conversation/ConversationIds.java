package dev.streamhub.conversation;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Conversation ids ({@code cv_} and 128 random bits, base64url, 22 characters) and the
 * {@code conversation} request field: absent or null for none, {@code true} or {@code "new"} to
 * start one, or the id of one to continue.
 */
public final class ConversationIds {

  /** The value of a parsed {@code conversation} field that asks for a new conversation. */
  public static final String NEW = "new";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Pattern SHAPE = Pattern.compile("cv_[A-Za-z0-9_-]{22}");

  private ConversationIds() {}

  static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "cv_" + ENCODER.encodeToString(bytes);
  }

  static boolean looksValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /**
   * The {@code conversation} field of a request body: null (none), {@link #NEW}, or a conversation
   * id. Fails with {@code bad_request} for anything else.
   */
  public static String parseField(Object value) {
    if (value == null || Boolean.FALSE.equals(value)) {
      return null;
    }
    if (Boolean.TRUE.equals(value) || NEW.equals(value)) {
      return NEW;
    }
    if (value instanceof String && looksValid((String) value)) {
      return (String) value;
    }
    throw new HubException(ErrorCode.BAD_REQUEST,
        "'conversation' must be true or \"new\" (start one) or a conversation id (\"cv_...\") to continue one");
  }
}
