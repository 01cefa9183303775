package dev.streamhub.streamlog.redis;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamLogContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Redis store against the {@link StreamLogContract}, on a redis-server of its own; fresh keys per log. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisStreamLogTest extends StreamLogContract {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.startNew(false);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected Future<StreamLog> newLog(Vertx vertx, StreamLogConfig config) {
    return RedisStreamLog.create(vertx, config.withRedis(redis.url()), "test-" + UUID.randomUUID() + ":");
  }
}
