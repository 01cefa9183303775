package dev.streamhub.config;

import java.util.Set;

/**
 * The stream log and its retention.
 *
 * @param store {@code log_store}: {@code memory} (this node's heap; the default alone),
 *     {@code hazelcast} (the cluster's memory, every event on two members; the default when clustered)
 *     or {@code redis} (a Redis server at {@code redis_url}, durable and shared by every node). The
 *     shorthand key {@code store} ({@code STREAMHUB_STORE}) takes a store name or a Redis URL:
 *     {@code store=redis://127.0.0.1:6379} means {@code log_store=redis} with that {@code redis_url}.
 * @param retentionSeconds {@code log_retention_seconds}: how long a finished stream stays readable
 * @param maxEventsPerStream {@code log_max_events_per_stream}: older events beyond this are dropped
 *     (reading them is {@code offset_expired})
 * @param maxAgeSeconds {@code log_max_age_seconds}: a stream, finished or not, is dropped this long after creation
 * @param readBatch {@code log_read_batch}: events per log read when replaying to a client
 * @param redisUrl {@code redis_url}: the Redis server of {@code log_store=redis},
 *     {@code redis://[user:password@]host:port[/db]} (or {@code rediss://} for TLS)
 * @param redisTimeoutMs {@code redis_timeout_ms}: how long a Redis call (connect included) may take
 *     before it fails with {@code store_unavailable}, in milliseconds
 */
public record StreamLogConfig(String store, long retentionSeconds, int maxEventsPerStream, long maxAgeSeconds, int readBatch,
    String redisUrl, long redisTimeoutMs) {

  public static final Set<String> STORES = Set.of("memory", "hazelcast", "redis");
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final long DEFAULT_REDIS_TIMEOUT_MS = 2000;
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
    String shorthand = s.string(ConfigKey.STORE);
    String shorthandUrl = shorthand != null && isRedisUrl(shorthand) ? shorthand : null;
    String shorthandStore = shorthandUrl != null ? "redis" : shorthand;
    if (shorthandStore != null && !STORES.contains(shorthandStore)) {
      throw s.bad("store", shorthand, "one of " + STORES + " or a redis:// URL");
    }
    String store = s.oneOf(ConfigKey.LOG_STORE, shorthandStore != null ? shorthandStore : clustered ? DEFAULT_CLUSTERED_STORE : DEFAULT_STORE);
    if (shorthandStore != null && !store.equals(shorthandStore)) {
      throw new ConfigException("invalid " + s.sourceOf("log_store") + " (log_store): '" + store + "' contradicts "
          + s.sourceOf("store") + " (store): '" + shorthand + "'");
    }
    String redisUrl = s.string(ConfigKey.REDIS_URL.key(), shorthandUrl != null ? shorthandUrl : DEFAULT_REDIS_URL);
    if (!isRedisUrl(redisUrl)) {
      throw s.bad("redis_url", redisUrl, "a redis:// or rediss:// URL");
    }
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
        s.integer(ConfigKey.LOG_READ_BATCH),
        redisUrl,
        s.longValue(ConfigKey.REDIS_TIMEOUT_MS));
  }

  private static boolean isRedisUrl(String value) {
    return value.startsWith("redis://") || value.startsWith("rediss://");
  }

  /** This config with {@code log_store=redis} at {@code url}; for tests and embedding. */
  public StreamLogConfig withRedis(String url) {
    return new StreamLogConfig("redis", retentionSeconds, maxEventsPerStream, maxAgeSeconds, readBatch, url, redisTimeoutMs);
  }

  public StreamLogConfig withMaxEventsPerStream(int max) {
    return new StreamLogConfig(store, retentionSeconds, max, maxAgeSeconds, readBatch, redisUrl, redisTimeoutMs);
  }

  public StreamLogConfig withRetentionSeconds(long seconds) {
    return new StreamLogConfig(store, seconds, maxEventsPerStream, maxAgeSeconds, readBatch, redisUrl, redisTimeoutMs);
  }
}
