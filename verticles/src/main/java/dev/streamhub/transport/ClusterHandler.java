package dev.streamhub.transport;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.internal.ClusterManagers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Node identity: every response carries {@code X-StreamHub-Node}, and {@code GET /v1/cluster}
 * lists the members with their roles, HTTP address and open connections (from the node cards of
 * {@code NodeCardVerticle}, restricted to current members). Not authenticated yet: it becomes
 * admin-only with the security issue.
 */
public final class ClusterHandler {

  public static final String NODE_HEADER = "X-StreamHub-Node";

  private final Vertx vertx;

  public ClusterHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Mounts the header first, so that every response (errors and 404s too) carries it. */
  public void mount(Router router) {
    String node = HazelcastSetup.nodeId(vertx);
    router.route().order(-1).handler(rc -> {
      rc.response().putHeader(NODE_HEADER, node);
      rc.next();
    });
    router.get("/v1/cluster").handler(this::list);
  }

  private void list(RoutingContext rc) {
    ClusterManager manager = ClusterManagers.of(vertx);
    String self = HazelcastSetup.nodeId(vertx);
    List<String> members = manager == null ? List.of(self) : manager.getNodes();
    vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.NODES_MAP)
        .compose(map -> map.entries())
        .onSuccess(cards -> {
          JsonArray list = new JsonArray();
          List<String> ordered = new ArrayList<>(members);
          for (String node : ordered) {
            JsonObject card = cards.getOrDefault(node, new JsonObject().put("node", node).put("roles", new JsonArray()));
            list.add(card.copy().put("self", node.equals(self)));
          }
          rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(new JsonObject().put("node", self).put("clustered", manager != null).put("members", list).encode());
        })
        .onFailure(rc::fail);
  }
}
