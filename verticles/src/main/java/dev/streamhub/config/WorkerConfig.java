package dev.streamhub.config;

/**
 * How the edge hands generations to workers.
 *
 * @param acceptTimeoutMs {@code worker_accept_timeout_ms}: how long a worker may take to accept a
 *     generation request before the client gets 503 {@code no_worker_available}
 */
public record WorkerConfig(long acceptTimeoutMs) {

  public static final long DEFAULT_ACCEPT_TIMEOUT_MS = 5000;

  static WorkerConfig from(Settings s) {
    return new WorkerConfig(s.longValue("worker_accept_timeout_ms", DEFAULT_ACCEPT_TIMEOUT_MS, 1, 600_000));
  }
}
