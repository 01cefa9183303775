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
        s.bool("demo_enabled", DEFAULT_ENABLED),
        s.longValue("demo_ttft_ms", DEFAULT_TTFT_MS, 0, 600_000),
        s.integer("demo_tokens_per_second", DEFAULT_TOKENS_PER_SECOND, 1, 1_000_000),
        s.integer("demo_max_tokens", DEFAULT_MAX_TOKENS, 1, 1_000_000),
        s.integer("demo_answer_tokens", DEFAULT_ANSWER_TOKENS, 0, 1_000_000));
  }
}
