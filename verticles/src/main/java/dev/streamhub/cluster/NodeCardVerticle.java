package dev.streamhub.cluster;

import dev.streamhub.config.ClusterConfig;
import dev.streamhub.config.HubConfig;
import dev.streamhub.stats.EdgeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's identity card in the shared map {@code streamhub.nodes} every
 * {@link #INTERVAL_MS}, with a TTL so that a dead node's card disappears by itself:
 * {@code {"node", "roles", "http", "state", "connections", "started"}} ({@code state}: {@code up}, {@code draining} or {@code drained} (admin drain), {@code stopping} (SIGTERM); see {@code ops.Drain.State}, read through the supplier so that {@code cluster/} stays below {@code ops/}). {@code GET /v1/cluster} lists them.
 */
public final class NodeCardVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeCardVerticle.class);
  static final long INTERVAL_MS = 2000;
  static final long TTL_MS = 5 * INTERVAL_MS;

  private final HubConfig config;
  private final EdgeStats stats;
  private final Supplier<String> state;
  private final int port;
  private final long started = System.currentTimeMillis();

  /**
   * @param state the node's drain state as its wire name ({@code up}, {@code draining}, {@code drained}, {@code stopping})
   * @param port the edge's HTTP port, or -1 when this node has no edge
   */
  public NodeCardVerticle(HubConfig config, EdgeStats stats, Supplier<String> state, int port) {
    this.config = config;
    this.stats = stats;
    this.state = state;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(INTERVAL_MS, id -> publish().onFailure(err -> LOG.warn("node card: {}", err.getMessage())));
    return publish();
  }

  @Override
  public Future<?> stop() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.NODES_MAP).compose(map -> map.remove(nodeId()));
  }

  private Future<Void> publish() {
    JsonArray roles = new JsonArray();
    config.cluster().roles().stream().map(ClusterConfig.Role::wire).forEach(roles::add);
    JsonObject card = new JsonObject()
        .put("node", nodeId())
        .put("roles", roles)
        .put("http", port < 0 ? null : config.http().host() + ":" + port)
        .put("state", state.get())
        .put("connections", stats.connections())
        .put("started", started);
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.NODES_MAP).compose(map -> map.put(nodeId(), card, TTL_MS));
  }

  private String nodeId() {
    return HazelcastSetup.nodeId(vertx);
  }
}
