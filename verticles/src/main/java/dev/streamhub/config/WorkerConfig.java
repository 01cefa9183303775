package dev.streamhub.config;

/**
 * How the edge hands generations to workers, and how a lost worker is noticed.
 *
 * @param acceptTimeoutMs {@code worker_accept_timeout_ms}: how long a worker may take to accept a
 *     generation request before the client gets 503 {@code no_worker_available}
 * @param instances {@code worker_instances}: worker verticles per model backend on this node, each
 *     on its own event loop; the event bus spreads generations over them
 * @param leaseMs {@code worker_lease_ms}: how often a worker renews the liveness lease of each
 *     stream it generates, and how often the cluster checks the leases
 * @param lostTimeoutMs {@code worker_lost_timeout_ms}: a stream whose lease was not renewed for this
 *     long (or whose worker's node left the cluster) ends with {@code error} / {@code worker_lost}
 * @param disconnectGraceMaxMs {@code disconnect_grace_max_ms}: the longest, and the default, grace of a
 *     request's {@code cancel_on_disconnect} (ms after the last reader left, anywhere in the cluster)
 */
public record WorkerConfig(long acceptTimeoutMs, int instances, long leaseMs, long lostTimeoutMs, long disconnectGraceMaxMs) {

  public static final long DEFAULT_ACCEPT_TIMEOUT_MS = 5000;
  public static final int DEFAULT_INSTANCES = Runtime.getRuntime().availableProcessors();
  public static final long DEFAULT_LEASE_MS = 1000;
  public static final long DEFAULT_LOST_TIMEOUT_MS = 5000;
  public static final long DEFAULT_DISCONNECT_GRACE_MAX_MS = 10_000;

  static WorkerConfig from(Settings s) {
    WorkerConfig config = new WorkerConfig(
        s.longValue(ConfigKey.WORKER_ACCEPT_TIMEOUT_MS),
        s.integer(ConfigKey.WORKER_INSTANCES),
        s.longValue(ConfigKey.WORKER_LEASE_MS),
        s.longValue(ConfigKey.WORKER_LOST_TIMEOUT_MS),
        s.longValue(ConfigKey.DISCONNECT_GRACE_MAX_MS));
    if (config.leaseMs * 2 > config.lostTimeoutMs) {
      throw new ConfigException("worker_lease_ms (" + config.leaseMs + ") must be at most half of worker_lost_timeout_ms ("
          + config.lostTimeoutMs + "), so that one late renewal does not end a stream");
    }
    return config;
  }
}
