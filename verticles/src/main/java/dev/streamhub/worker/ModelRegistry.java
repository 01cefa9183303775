package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.internal.ClusterManagers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which models the cluster's live workers serve. The shared map {@code streamhub.models} holds one
 * entry per model per serving node and source: key {@code <source>:<node id>:<model id>} (source
 * {@code worker}, or {@code bridge} for a bridge worker's model), value the OpenAI model object. A
 * model is served while some entry of it names a node that is a member of the cluster (on a single
 * node: always); entries of nodes that left (a killed node cannot remove its own) are ignored and
 * removed when seen. A draining worker and a bridge worker that disconnects remove theirs.
 */
public final class ModelRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  public static final String WORKER = "worker";
  public static final String BRIDGE = "bridge";

  /** How long a listing answers {@link #serves} with yes without reading the map again. */
  static final long SERVED_CACHE_MS = 1000;

  private final Vertx vertx;
  /** The model ids of the last listing, and when it was made (a race between two listings is harmless). */
  private volatile Set<String> served = Set.of();
  private volatile long servedAtNanos;

  public ModelRegistry(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Lists {@code model} (an OpenAI model object with its {@code id}) as served by this node for {@code source}. */
  public Future<Void> add(String source, JsonObject model) {
    return map().compose(map -> map.put(key(source, model.getString("id")), model));
  }

  /** This node serves {@code modelId} for {@code source} no more. */
  public Future<Void> remove(String source, String modelId) {
    return map().compose(map -> map.remove(key(source, modelId))).mapEmpty();
  }

  /** The models some live node serves, one object per model id, sorted by id. Refreshes what {@link #serves} remembers. */
  public Future<List<JsonObject>> live() {
    ClusterManager manager = ClusterManagers.of(vertx);
    List<String> members = manager == null ? null : manager.getNodes();
    return map().compose(map -> map.entries().map(entries -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      entries.forEach((key, model) -> {
        String[] parts = key.split(":", 3);
        if (parts.length == 3 && (members == null || members.contains(parts[1]))) {
          byId.putIfAbsent(parts[2], model);
        } else if (members != null) {
          map.remove(key).onFailure(err -> LOG.debug("could not remove the model entry {} of a node that left: {}", key, err.getMessage()));
        }
      });
      List<JsonObject> models = new ArrayList<>(byId.values());
      models.sort(Comparator.comparing(m -> m.getString("id")));
      served = new HashSet<>(byId.keySet());
      servedAtNanos = System.nanoTime();
      return models;
    }));
  }

  /**
   * Whether some live node serves {@code modelId}. A yes from a listing at most
   * {@link #SERVED_CACHE_MS} old is taken as it is (a clustered listing reads the whole map on a
   * worker thread, too much for every request; a model gone since then is refused by the hand-over
   * with {@code no_worker_available}); a no is always checked afresh, so a model a worker has just
   * registered is served at once.
   */
  public Future<Boolean> serves(String modelId) {
    if (served.contains(modelId) && System.nanoTime() - servedAtNanos < SERVED_CACHE_MS * 1_000_000) {
      return Future.succeededFuture(true);
    }
    return live().map(models -> models.stream().anyMatch(m -> modelId.equals(m.getString("id"))));
  }

  private String key(String source, String modelId) {
    return source + ":" + HazelcastSetup.nodeId(vertx) + ":" + modelId;
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(Addresses.MODELS_MAP);
  }
}
