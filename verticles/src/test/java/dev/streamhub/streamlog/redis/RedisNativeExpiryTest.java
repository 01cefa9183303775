package dev.streamhub.streamlog.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both keys of a stream carry its deadline as their native expiry, so Redis drops a stream even
 * when no hub runs: {@code created + log_max_age_seconds} from the first append (the append script
 * sets the events key's expiry only when it creates the key), {@code finished + log_retention_seconds}
 * after the terminal one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisNativeExpiryTest {

  private static final String PREFIX = "expiry:";

  private RedisServer redis;
  private Vertx vertx;
  private Redis client;

  @BeforeEach
  void start() {
    redis = RedisServer.startNew(false);
    vertx = Vertx.vertx();
    client = Redis.createClient(vertx, redis.url());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    redis.close();
  }

  @Test
  void bothKeysExpireAtTheMaximumAgeThenAtTheRetentionAfterTheTerminalEvent() throws Exception {
    StreamLogConfig config = StreamLogConfig.defaults().withRedis(redis.url()).withRetentionSeconds(60);
    RedisStreamLog log = (RedisStreamLog) RedisStreamLog.create(vertx, config, PREFIX).await(30, TimeUnit.SECONDS);
    RedisKeys keys = new RedisKeys(PREFIX);
    String id = StreamIds.next();
    long created = System.currentTimeMillis();
    log.create(StreamMeta.fresh(id, "alice", "demo", created)).await(30, TimeUnit.SECONDS);
    long maxAgeDeadline = created + config.maxAgeSeconds() * 1000;

    log.append(id, List.of(NewEvent.delta("a"))).await(30, TimeUnit.SECONDS);
    log.append(id, List.of(NewEvent.delta("b"), NewEvent.delta("c"))).await(30, TimeUnit.SECONDS);
    assertEquals(maxAgeDeadline, expiresAt(keys.meta(id)));
    assertEquals(maxAgeDeadline, expiresAt(keys.events(id)));

    log.append(id, List.of(NewEvent.done("stop"))).await(30, TimeUnit.SECONDS);
    long finished = log.meta(id).await(30, TimeUnit.SECONDS).finishedAt();
    assertEquals(finished + 60_000, expiresAt(keys.meta(id)));
    assertEquals(finished + 60_000, expiresAt(keys.events(id)));
    assertEquals(finished + 60_000, client.send(Request.cmd(Command.ZSCORE).arg(keys.expiry()).arg(id))
        .await(30, TimeUnit.SECONDS).toLong());
  }

  /** The key's expiry in ms since the epoch ({@code PEXPIRETIME}: -1 without one, -2 without the key). */
  private long expiresAt(String key) throws Exception {
    return client.send(Request.cmd(Command.PEXPIRETIME).arg(key)).await(30, TimeUnit.SECONDS).toLong();
  }
}
