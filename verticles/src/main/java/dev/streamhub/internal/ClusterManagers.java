package dev.streamhub.internal;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

/**
 * The {@link ClusterManager} a {@link Vertx} was built with, or {@code null} when it runs alone.
 *
 * <p>Why an internal API: Vert.x 5 takes the cluster manager in
 * {@code Vertx.builder().withClusterManager(..)} but has no public getter for it; only
 * {@code io.vertx.core.internal.VertxInternal#clusterManager()} returns it (it was
 * {@code io.vertx.core.impl.VertxInternal} in Vert.x 4). The hub needs it for what the public API
 * does not say: the current member list (health, metrics, the lease watchdog's reaping, the model
 * registry's live workers, {@code /v1/cluster}) and this node's id. Every use goes through here, so
 * a Vert.x upgrade that moves it changes one file. Any {@link Vertx} Vert.x's builders return is a
 * {@code VertxInternal}; another implementation (a wrapper) fails with a
 * {@link ClassCastException}, as the hub cannot tell whether it is clustered.
 * {@code ClusterManagersTest} fails when a clustered Vert.x stops handing back its manager.
 */
public final class ClusterManagers {

  private ClusterManagers() {}

  /** The cluster manager {@code vertx} is clustered with, or {@code null} when it runs alone. */
  public static ClusterManager of(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager();
  }
}
