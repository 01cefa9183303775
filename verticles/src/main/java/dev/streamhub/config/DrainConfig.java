package dev.streamhub.config;

/**
 * Graceful drain (SIGTERM): how long a node may take to let its clients and generations go.
 *
 * @param timeoutMs {@code drain_timeout_ms}: from the start of a drain, how long in-flight
 *     generations may run to their end and OpenAI-format streams (whose clients cannot resume) may
 *     stay open; past it they end with {@code draining} / {@code worker_lost} and the node leaves
 */
public record DrainConfig(long timeoutMs) {

  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  static DrainConfig from(Settings s) {
    return new DrainConfig(s.longValue(ConfigKey.DRAIN_TIMEOUT_MS));
  }
}
