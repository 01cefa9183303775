package dev.streamhub.cluster;

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
