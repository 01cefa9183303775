package dev.streamhub.config;

import java.util.Set;

/**
 * The stream log and its retention.
 *
 * @param store {@code log_store}: {@code memory} (this node's heap; the default alone) or
 *     {@code hazelcast} (the cluster's memory, every event on two members; the default when clustered)
 * @param retentionSeconds {@code log_retention_seconds}: how long a finished stream stays readable
 * @param maxEventsPerStream {@code log_max_events_per_stream}: older events beyond this are dropped
 *     (reading them is {@code offset_expired})
 * @param maxAgeSeconds {@code log_max_age_seconds}: a stream, finished or not, is dropped this long after creation
 * @param readBatch {@code log_read_batch}: events per log read when replaying to a client
 */
public record StreamLogConfig(String store, long retentionSeconds, int maxEventsPerStream, long maxAgeSeconds, int readBatch) {

  public static final Set<String> STORES = Set.of("memory", "hazelcast");
  public static final String DEFAULT_STORE = "memory";
  public static final String DEFAULT_CLUSTERED_STORE = "hazelcast";
  public static final long DEFAULT_RETENTION_SECONDS = 3600;
  public static final int DEFAULT_MAX_EVENTS_PER_STREAM = 100_000;
  public static final long DEFAULT_MAX_AGE_SECONDS = 86_400;
  public static final int DEFAULT_READ_BATCH = 512;

  public static StreamLogConfig defaults() {
    return from(Settings.of(new io.vertx.core.json.JsonObject()), false);
  }

  static StreamLogConfig from(Settings s, boolean clustered) {
    String store = s.oneOf(ConfigKey.LOG_STORE, clustered ? DEFAULT_CLUSTERED_STORE : DEFAULT_STORE);
    if (store.equals("hazelcast") && !clustered) {
      throw new ConfigException("invalid " + s.sourceOf("log_store") + " (log_store): 'hazelcast' needs a cluster (cluster_config)");
    }
    if (store.equals("memory") && clustered) {
      // the edge creates a stream in its own heap, the worker on another node could not append to it
      throw new ConfigException("invalid " + s.sourceOf("log_store") + " (log_store): 'memory' keeps logs in one node's heap, "
          + "which other nodes cannot read; a cluster (cluster_config) needs a shared store such as 'hazelcast'");
    }
    return new StreamLogConfig(
        store,
        s.longValue(ConfigKey.LOG_RETENTION_SECONDS),
        s.integer(ConfigKey.LOG_MAX_EVENTS_PER_STREAM),
        s.longValue(ConfigKey.LOG_MAX_AGE_SECONDS),
        s.integer(ConfigKey.LOG_READ_BATCH));
  }

  public StreamLogConfig withMaxEventsPerStream(int max) {
    return new StreamLogConfig(store, retentionSeconds, max, maxAgeSeconds, readBatch);
  }

  public StreamLogConfig withRetentionSeconds(long seconds) {
    return new StreamLogConfig(store, seconds, maxEventsPerStream, maxAgeSeconds, readBatch);
  }
}
