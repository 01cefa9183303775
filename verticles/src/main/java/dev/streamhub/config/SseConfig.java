package dev.streamhub.config;

/**
 * Server-Sent Events.
 *
 * @param retryMs {@code sse_retry_ms}: the {@code retry:} hint sent first, how long a browser waits before reconnecting
 * @param heartbeatMs {@code sse_heartbeat_ms}: interval of {@code :} comment heartbeats on an open stream
 */
public record SseConfig(long retryMs, long heartbeatMs) {

  public static final long DEFAULT_RETRY_MS = 2000;
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;

  static SseConfig from(Settings s) {
    return new SseConfig(
        s.longValue(ConfigKey.SSE_RETRY_MS),
        s.longValue(ConfigKey.SSE_HEARTBEAT_MS));
  }
}
