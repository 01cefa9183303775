package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.cluster.EmbeddedHazelcast;
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

/** The Hazelcast store against the {@link StreamLogContract}, on one embedded member; a fresh map per log. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HazelcastStreamLogTest extends StreamLogContract {

  private static HazelcastInstance member;

  @BeforeAll
  static void startMember() {
    member = Hazelcast.newHazelcastInstance(EmbeddedHazelcast.config());
  }

  @AfterAll
  static void stopMember() {
    member.shutdown();
  }

  @Override
  protected Future<StreamLog> newLog(Vertx vertx, StreamLogConfig config) {
    return HazelcastStreamLog.create(vertx, member, config, HazelcastStreamLog.MAP + "." + UUID.randomUUID());
  }
}
