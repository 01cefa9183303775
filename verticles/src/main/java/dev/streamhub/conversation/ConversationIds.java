package dev.streamhub.conversation;

import dev.streamhub.worker.ConversationField;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Conversation ids ({@code cv_} and 128 random bits, base64url, 22 characters). The request's
 * {@code conversation} field is parsed by {@link ConversationField} (in {@code worker/}, below this
 * package).
 */
public final class ConversationIds {

  /** The value of a parsed {@code conversation} field that asks for a new conversation. */
  public static final String NEW = ConversationField.NEW;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private ConversationIds() {}

  static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "cv_" + ENCODER.encodeToString(bytes);
  }

  static boolean looksValid(String id) {
    return ConversationField.looksLikeId(id);
  }
}
