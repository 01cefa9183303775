package dev.streamhub.limits.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.LimiterContract;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis limiter against the {@link LimiterContract} on a redis-server of its own: its "two
 * nodes" are two limiters with clients of their own on the same Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisLimiterTest extends LimiterContract {

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
  protected Future<List<Limiter>> newLimiters(Vertx vertx) {
    return Future.succeededFuture(List.of(new RedisLimiter(vertx, redis.url(), 2000), new RedisLimiter(vertx, redis.url(), 2000)));
  }

  @Test
  void anUnreachableRedisFailsWithStoreUnavailableWithinTheTimeout(Vertx vertx, VertxTestContext ctx) {
    // a port nothing listens on: the redis-server of this test, stopped
    RedisServer gone = RedisServer.startNew(false);
    String url = gone.url();
    gone.close();
    Limiter limiter = new RedisLimiter(vertx, url, 500);
    long start = System.nanoTime();
    limiter.take("k", 1, 1, 60_000).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(HubException.class, err).code());
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(true, tookMs < 5_000, "failed after " + tookMs + " ms");
      ctx.completeNow();
    })));
  }
}
