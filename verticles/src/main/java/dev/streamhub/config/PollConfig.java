package dev.streamhub.config;

/**
 * HTTP long-poll ({@code GET /v1/streams/{id}/poll}).
 *
 * @param defaultTimeoutSeconds {@code poll_default_timeout_seconds}: how long a poll waits for events when it gives no {@code timeout}
 * @param maxTimeoutSeconds {@code poll_max_timeout_seconds}: larger {@code timeout} values are clamped to this
 * @param maxEvents {@code poll_max_events}: events per response at most
 * @param maxBytes {@code poll_max_bytes}: a response stops taking events once its events reach this size (at least one event is always returned)
 */
public record PollConfig(int defaultTimeoutSeconds, int maxTimeoutSeconds, int maxEvents, int maxBytes) {

  public static final int DEFAULT_DEFAULT_TIMEOUT_SECONDS = 25;
  public static final int DEFAULT_MAX_TIMEOUT_SECONDS = 30;
  public static final int DEFAULT_MAX_EVENTS = 1000;
  public static final int DEFAULT_MAX_BYTES = 256 * 1024;

  static PollConfig from(Settings s) {
    PollConfig config = new PollConfig(
        s.integer(ConfigKey.POLL_DEFAULT_TIMEOUT_SECONDS),
        s.integer(ConfigKey.POLL_MAX_TIMEOUT_SECONDS),
        s.integer(ConfigKey.POLL_MAX_EVENTS),
        s.integer(ConfigKey.POLL_MAX_BYTES));
    if (config.defaultTimeoutSeconds > config.maxTimeoutSeconds) {
      throw new ConfigException("poll_default_timeout_seconds (" + config.defaultTimeoutSeconds
          + ") must not exceed poll_max_timeout_seconds (" + config.maxTimeoutSeconds + ")");
    }
    return config;
  }
}
