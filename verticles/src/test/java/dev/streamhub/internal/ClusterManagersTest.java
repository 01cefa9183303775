package dev.streamhub.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.streamhub.cluster.EmbeddedHazelcast;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ClusterManagers} engages on the Vert.x of the build: it hands back the manager a clustered Vert.x was built with. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterManagersTest {

  @Test
  void aClusteredVertxHandsBackItsManager() throws Exception {
    HazelcastClusterManager manager = new HazelcastClusterManager(EmbeddedHazelcast.config());
    Vertx vertx = Vertx.builder().withClusterManager(manager).buildClustered().await(60, TimeUnit.SECONDS);
    try {
      assertSame(manager, ClusterManagers.of(vertx));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aVertxAloneHasNone() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      assertNull(ClusterManagers.of(vertx));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
