package dev.streamhub.config;

/**
 * Server-side conversations (multi-turn context), kept in the store the log uses.
 *
 * @param maxTurns {@code conversation_max_turns}: messages (user turns and answers) a conversation
 *     keeps; the oldest are dropped first
 * @param maxBytes {@code conversation_max_bytes}: the most a conversation's turns take, as JSON
 *     text in UTF-8; the oldest are dropped first
 * @param ttlSeconds {@code conversation_ttl_seconds}: a conversation nobody added to this long is dropped
 */
public record ConversationConfig(int maxTurns, int maxBytes, long ttlSeconds) {

  public static final int DEFAULT_MAX_TURNS = 100;
  public static final int DEFAULT_MAX_BYTES = 262_144;
  public static final long DEFAULT_TTL_SECONDS = 86_400;

  public static ConversationConfig defaults() {
    return new ConversationConfig(DEFAULT_MAX_TURNS, DEFAULT_MAX_BYTES, DEFAULT_TTL_SECONDS);
  }

  static ConversationConfig from(Settings s) {
    return new ConversationConfig(
        s.integer(ConfigKey.CONVERSATION_MAX_TURNS),
        s.integer(ConfigKey.CONVERSATION_MAX_BYTES),
        s.longValue(ConfigKey.CONVERSATION_TTL_SECONDS));
  }
}
