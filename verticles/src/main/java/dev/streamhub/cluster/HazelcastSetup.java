package dev.streamhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.config.ClusterConfig;
import dev.streamhub.config.ConfigException;
import dev.streamhub.ops.metrics.HubMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

/**
 * Builds this node's {@link Vertx}: clustered on Hazelcast when {@code cluster_config} is set,
 * alone otherwise. Also the one place that reaches into a running Vertx for its Hazelcast member
 * and its node id.
 */
public final class HazelcastSetup {

  /** A node id for a node that runs alone (a clustered node uses its cluster manager's id). */
  private static final String LOCAL_NODE_ID = UUID.randomUUID().toString();

  private HazelcastSetup() {}

  public static Future<Vertx> vertx(ClusterConfig config) {
    VertxOptions options = new VertxOptions();
    PrometheusMeterRegistry metrics = HubMetrics.enable(options); // GET /metrics, with the Vert.x meters
    if (!config.clustered()) {
      Vertx vertx = Vertx.builder().with(options).withMetrics(HubMetrics.factory(metrics)).build();
      HubMetrics.install(vertx, metrics);
      return Future.succeededFuture(vertx);
    }
    Config hazelcast = hazelcastConfig(config);
    options.setEventBusOptions(new EventBusOptions().setHost(config.host()).setClusterPublicHost(config.host()));
    return Vertx.builder().with(options).withMetrics(HubMetrics.factory(metrics))
        .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered()
        .onSuccess(vertx -> HubMetrics.install(vertx, metrics));
  }

  /** The Hazelcast config of {@code cluster_config}, with {@code cluster_name} and {@code cluster_lite_member} applied. */
  public static Config hazelcastConfig(ClusterConfig config) {
    Config hazelcast;
    try {
      hazelcast = Config.loadFromFile(new File(config.hazelcastConfig()));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot load the Hazelcast config " + config.hazelcastConfig() + " (cluster_config): " + e.getMessage());
    }
    if (config.name() != null) {
      hazelcast.setClusterName(config.name());
    }
    if (config.liteMember()) {
      hazelcast.setLiteMember(true);
    }
    return hazelcast;
  }

  /** The Hazelcast member {@code vertx} is clustered with, if any. */
  public static Optional<HazelcastInstance> hazelcast(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager instanceof HazelcastClusterManager
        ? Optional.ofNullable(((HazelcastClusterManager) manager).getHazelcastInstance())
        : Optional.empty();
  }

  /** This node's id: the cluster manager's node id, or a random id fixed for this JVM when alone. */
  public static String nodeId(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager != null ? manager.getNodeId() : LOCAL_NODE_ID;
  }
}
