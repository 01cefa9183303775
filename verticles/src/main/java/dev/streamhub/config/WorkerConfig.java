package dev.streamhub.config;

/**
 * How the edge hands generations to workers.
 *
 * @param acceptTimeoutMs {@code worker_accept_timeout_ms}: how long a worker may take to accept a
 *     generation request before the client gets 503 {@code no_worker_available}
 * @param instances {@code worker_instances}: worker verticles per model backend on this node, each
 *     on its own event loop; the event bus spreads generations over them
 */
public record WorkerConfig(long acceptTimeoutMs, int instances) {

  public static final long DEFAULT_ACCEPT_TIMEOUT_MS = 5000;
  public static final int DEFAULT_INSTANCES = Runtime.getRuntime().availableProcessors();

  static WorkerConfig from(Settings s) {
    return new WorkerConfig(
        s.longValue("worker_accept_timeout_ms", DEFAULT_ACCEPT_TIMEOUT_MS, 1, 600_000),
        s.integer("worker_instances", DEFAULT_INSTANCES, 1, 256));
  }
}
