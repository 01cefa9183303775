package dev.streamhub.config;

/**
 * The demo model worker (model {@code demo}): deterministic word-piece tokens at a steady pace.
 *
 * @param enabled {@code demo_enabled}: deploy the demo worker on this node
 * @param ttftMs {@code demo_ttft_ms}: delay before the first token
 * @param tokensPerSecond {@code demo_tokens_per_second}: pace after the first token
 * @param maxTokens {@code demo_max_tokens}: cap on tokens when a request sets no {@code max_tokens}
 * @param answerTokens {@code demo_answer_tokens}: length of every answer before any cap; 0 lets the
 *     seed choose a length from 24 to 96 tokens
 */
public record DemoConfig(boolean enabled, long ttftMs, int tokensPerSecond, int maxTokens, int answerTokens) {

  public static final boolean DEFAULT_ENABLED = true;
  public static final long DEFAULT_TTFT_MS = 150;
  public static final int DEFAULT_TOKENS_PER_SECOND = 30;
  public static final int DEFAULT_MAX_TOKENS = 512;
  public static final int DEFAULT_ANSWER_TOKENS = 0;

  static DemoConfig from(Settings s) {
    return new DemoConfig(
        s.bool(ConfigKey.DEMO_ENABLED),
        s.longValue(ConfigKey.DEMO_TTFT_MS),
        s.integer(ConfigKey.DEMO_TOKENS_PER_SECOND),
        s.integer(ConfigKey.DEMO_MAX_TOKENS),
        s.integer(ConfigKey.DEMO_ANSWER_TOKENS));
  }
}
