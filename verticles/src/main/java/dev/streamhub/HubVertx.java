package dev.streamhub;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.ClusterConfig;
import dev.streamhub.ops.metrics.HubMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds the node's {@link Vertx}: the native transport when it loads, the Prometheus meters of
 * {@code GET /metrics} ({@link HubMetrics}), and with {@code cluster_config} set a Hazelcast cluster
 * manager configured by {@link HazelcastSetup#hazelcastConfig}. It lives here, where the hub is
 * assembled, so that {@code cluster/} does not depend on {@code ops/} (package layers:
 * {@code PackageLayersTest}).
 */
public final class HubVertx {
  private HubVertx() {}

  /**
   * A standalone Vert.x when {@code config} is not clustered, else one joined to the cluster (fails
   * with a {@code ConfigException} for an unreadable Hazelcast config, or the join's failure).
   */
  public static Future<Vertx> build(ClusterConfig config) {
    VertxOptions options = new VertxOptions()
        // epoll on Linux when netty-transport-native-epoll loads, NIO otherwise (bench/PERFORMANCE.md)
        .setPreferNativeTransport(true);
    PrometheusMeterRegistry metrics = HubMetrics.enable(options); // GET /metrics, with the Vert.x meters
    if (!config.clustered()) {
      Vertx vertx = Vertx.builder().with(options).withMetrics(HubMetrics.factory(metrics)).build();
      HubMetrics.install(vertx, metrics);
      return Future.succeededFuture(vertx);
    }
    com.hazelcast.config.Config hazelcast = HazelcastSetup.hazelcastConfig(config);
    options.setEventBusOptions(new EventBusOptions().setHost(config.host()).setClusterPublicHost(config.host())
        .setPort(config.eventBusPort()));
    return Vertx.builder().with(options).withMetrics(HubMetrics.factory(metrics))
        .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered()
        .onSuccess(vertx -> HubMetrics.install(vertx, metrics));
  }
}
