package dev.streamhub.limits.memory;

import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.LimiterContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node-local limiter against the {@link LimiterContract} (its "two nodes" are one JVM's limiter twice). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemoryLimiterTest extends LimiterContract {

  @Override
  protected Future<List<Limiter>> newLimiters(Vertx vertx) {
    Limiter limiter = new MemoryLimiter();
    return Future.succeededFuture(List.of(limiter, limiter));
  }
}
