package dev.streamhub.limits.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.limits.Limiter;
import dev.streamhub.limits.LimiterContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster limiter against the {@link LimiterContract}: two embedded members of one cluster, a
 * limiter on each over the same maps, so every "two nodes" case runs through two members.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HazelcastLimiterTest extends LimiterContract {

  private static HazelcastInstance one;
  private static HazelcastInstance two;

  @BeforeAll
  static void startMembers() {
    String cluster = "streamhub-limits-" + UUID.randomUUID();
    one = Hazelcast.newHazelcastInstance(EmbeddedHazelcast.config(cluster));
    two = Hazelcast.newHazelcastInstance(EmbeddedHazelcast.config(cluster));
  }

  @AfterAll
  static void stopMembers() {
    two.shutdown();
    one.shutdown();
  }

  @Override
  protected Future<List<Limiter>> newLimiters(Vertx vertx) {
    String suffix = "." + UUID.randomUUID();
    return Future.succeededFuture(List.of(new HazelcastLimiter(vertx, one, suffix), new HazelcastLimiter(vertx, two, suffix)));
  }
}
