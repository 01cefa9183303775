package dev.streamhub.cluster;

import com.hazelcast.config.Config;
import dev.streamhub.TestHubs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x nodes in this JVM for tests (embedded Hazelcast on loopback, one cluster name per
 * test), and the hub config of a node of such a cluster. {@link #close} closes every node it made.
 */
public final class InJvmCluster implements AutoCloseable {

  private final List<Vertx> nodes = new ArrayList<>();

  /** A new clustered Vert.x that joins {@code clusterName}; waits up to 60 s. */
  public Vertx join(String clusterName) {
    Vertx vertx = Vertx.builder()
        .withClusterManager(new HazelcastClusterManager(EmbeddedHazelcast.config(clusterName)))
        .buildClustered()
        .timeout(60, TimeUnit.SECONDS).await();
    nodes.add(vertx);
    return vertx;
  }

  /**
   * A new clustered Vert.x that joins {@code clusterName} with the hub's own Hazelcast config for
   * {@code hubConfig} ({@code HazelcastSetup.hazelcastConfig}: the maps' split-brain protection of
   * {@code cluster_quorum} included) on the in-process test network; waits up to 60 s.
   */
  public Vertx joinAsHub(String clusterName, JsonObject hubConfig) {
    Config config = HazelcastSetup.hazelcastConfig(TestHubs.config(hubConfig).cluster());
    config.setClusterName(clusterName);
    config.setNetworkConfig(EmbeddedHazelcast.config(clusterName).getNetworkConfig());
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.tcp.join.port.try.count", Integer.toString(EmbeddedHazelcast.PORT_TRY_COUNT));
    Vertx vertx = Vertx.builder()
        .withClusterManager(new HazelcastClusterManager(config))
        .buildClustered()
        .timeout(60, TimeUnit.SECONDS).await();
    nodes.add(vertx);
    return vertx;
  }

  /** Closes {@code node} (it leaves the cluster) and forgets it. */
  public void leave(Vertx node) {
    node.close().timeout(30, TimeUnit.SECONDS).await();
    nodes.remove(node);
  }

  /** A plain Vert.x closed with the cluster's nodes (a test's clients). */
  public Vertx plain() {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    return vertx;
  }

  /** The nodes made so far, in order. */
  public List<Vertx> nodes() {
    return nodes;
  }

  /** The hub config of a node with {@code roles} in a loopback cluster with the Hazelcast log store. */
  public static JsonObject hubNode(String roles) {
    return new JsonObject()
        .put("cluster_config", NodeProcess.LOOPBACK_CONFIG.toString())
        .put("roles", roles)
        .put("log_store", "hazelcast");
  }

  @Override
  public void close() {
    for (Vertx node : nodes) {
      node.close().timeout(30, TimeUnit.SECONDS).await();
    }
  }
}
