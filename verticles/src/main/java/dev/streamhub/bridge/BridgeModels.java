package dev.streamhub.bridge;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.worker.ModelRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the model registry in step with bridge workers: a worker that registers for
 * {@code streamhub.generate.<model>} makes {@code <model>} listed (and accepted) by the hub; when
 * the last bridge connection serving a model closes or unregisters, it is listed no more. Runs on
 * the bridge verticle's event loop only.
 */
final class BridgeModels implements Handler<BridgeEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeModels.class);

  private final ModelRegistry registry;
  private final Map<NetSocket, Set<String>> bySocket = new IdentityHashMap<>();
  private final Map<String, Integer> connections = new HashMap<>();

  BridgeModels(Vertx vertx) {
    this.registry = new ModelRegistry(vertx);
  }

  @Override
  public void handle(BridgeEvent event) {
    String address = event.getRawMessage().getString("address");
    if (address == null || !address.startsWith(Addresses.GENERATE_PREFIX)) {
      return;
    }
    String model = address.substring(Addresses.GENERATE_PREFIX.length());
    NetSocket socket = event.socket();
    if (event.type() == BridgeEventType.REGISTERED) {
      Set<String> models = bySocket.computeIfAbsent(socket, s -> {
        s.closeHandler(v -> closed(s));
        return new HashSet<>();
      });
      if (models.add(model) && connections.merge(model, 1, Integer::sum) == 1) {
        JsonObject description = new JsonObject().put("id", model).put("object", "model").put("created", System.currentTimeMillis() / 1000).put("owned_by", "bridge");
        registry.add(ModelRegistry.BRIDGE, description)
            .onFailure(err -> LOG.warn("bridge: could not list model {}: {}", model, err.getMessage()));
        LOG.info("bridge: a worker at {} serves model {}", socket.remoteAddress(), model);
      }
    } else if (event.type() == BridgeEventType.UNREGISTER) {
      Set<String> models = bySocket.get(socket);
      if (models != null && models.remove(model)) {
        release(model);
      }
    }
  }

  private void closed(NetSocket socket) {
    Set<String> models = bySocket.remove(socket);
    if (models != null) {
      models.forEach(this::release);
    }
  }

  private void release(String model) {
    if (connections.merge(model, -1, Integer::sum) > 0) {
      return;
    }
    connections.remove(model);
    registry.remove(ModelRegistry.BRIDGE, model)
        .onFailure(err -> LOG.warn("bridge: could not unlist model {}: {}", model, err.getMessage()));
    LOG.info("bridge: no worker serves model {} any more", model);
  }
}
