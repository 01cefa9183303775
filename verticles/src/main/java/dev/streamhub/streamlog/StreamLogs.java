package dev.streamhub.streamlog;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.streamlog.hazelcast.HazelcastStreamLog;
import dev.streamhub.streamlog.memory.MemoryStreamLog;
import dev.streamhub.streamlog.redis.RedisStreamLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Builds the configured {@link StreamLog}: the one place that switches on {@code log_store}. */
public final class StreamLogs {

  private StreamLogs() {}

  public static Future<StreamLog> create(Vertx vertx, StreamLogConfig config) {
    switch (config.store()) {
      case "memory":
        return Future.succeededFuture(new MemoryStreamLog(config));
      case "hazelcast":
        return HazelcastSetup.hazelcast(vertx)
            .map(hazelcast -> HazelcastStreamLog.create(vertx, hazelcast, config, HazelcastStreamLog.MAP))
            .orElseGet(() -> Future.failedFuture(new IllegalStateException("log_store 'hazelcast' needs a clustered node (cluster_config)")));
      case "redis":
        return RedisStreamLog.create(vertx, config);
      default:
        return Future.failedFuture(new IllegalArgumentException("unknown log_store '" + config.store() + "'"));
    }
  }
}
