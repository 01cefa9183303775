package dev.streamhub.ops;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.internal.ClusterManagers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET|HEAD /health/live} and {@code GET|HEAD /health/ready}, from vertx-health-check procedures.
 * <ul>
 *   <li>live ({@code live/*}): the process serves requests; nothing else (never Redis or Hazelcast),
 *       so that a slow store never gets a node restarted. {@code 200 {"status":"UP"}}.</li>
 *   <li>ready ({@code ready/*}): {@code drain} (the node is {@code up}, see {@link Drain}),
 *       {@code cluster} (alone, or the Hazelcast member is running and the cluster manager active),
 *       {@code store} (a real round trip to the stream log's store, {@link StoreProbe}: cached
 *       1 s, 2 s timeout). {@code 200 {"status":"UP"}} when all hold; {@code 503 {"status":"DRAINING"}}
 *       while the node drains (admin drain or SIGTERM); else {@code 503 {"status":"DOWN","checks":[{"id","status","data"}]}}
 *       naming the failed checks.</li>
 * </ul>
 * Both are mounted before the node's {@code draining} refusal, and answer HEAD with the same status
 * and no body. {@code Cache-Control: no-cache}.
 */
public final class HealthHandler {

  /** A procedure not done in this time counts as DOWN (above the store ping's own timeout). */
  static final long PROCEDURE_TIMEOUT_MS = StoreProbe.TIMEOUT_MS + 500;

  private final Vertx vertx;
  private final Drain drain;
  private final HealthChecks checks;

  public HealthHandler(Vertx vertx, Drain drain, StoreProbe store) {
    this.vertx = vertx;
    this.drain = drain;
    this.checks = HealthChecks.create(vertx)
        .register("live/serving", promise -> promise.complete(Status.OK()))
        .register("ready/drain", promise -> promise.complete(drain.draining()
            ? Status.KO(new JsonObject().put("state", drain.state().wire()))
            : Status.OK()))
        .register("ready/cluster", promise -> promise.complete(clusterJoined() ? Status.OK() : Status.KO()))
        .register("ready/store", PROCEDURE_TIMEOUT_MS, promise -> store.check()
            .onSuccess(ok -> promise.complete(Status.OK()))
            .onFailure(err -> promise.complete(Status.KO(new JsonObject().put("error", String.valueOf(err.getMessage()))))));
  }

  public void mount(Router router) {
    router.route("/health/live").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(rc -> answer(rc, "live"));
    router.route("/health/ready").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(rc -> answer(rc, "ready"));
  }

  private void answer(RoutingContext rc, String group) {
    checks.checkStatus(group)
        .otherwise(err -> CheckResult.from(group, err))
        .onSuccess(result -> {
          boolean up = CheckResult.isUp(result);
          JsonObject body = new JsonObject();
          if (up) {
            body.put("status", "UP");
          } else if (drain.draining()) {
            body.put("status", "DRAINING");
          } else {
            body.put("status", "DOWN").put("checks", failed(result));
          }
          rc.response()
              .setStatusCode(up ? 200 : 503)
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
              .end(body.encode());
        });
  }

  private static JsonArray failed(CheckResult result) {
    JsonArray failed = new JsonArray();
    if (result.getChecks() == null) {
      return failed.add(new JsonObject().put("id", result.getId()).put("status", "DOWN"));
    }
    for (CheckResult check : result.getChecks()) {
      if (!CheckResult.isUp(check)) {
        JsonObject item = new JsonObject().put("id", check.getId()).put("status", "DOWN");
        if (check.getData() != null && !check.getData().isEmpty()) {
          item.put("data", check.getData());
        }
        failed.add(item);
      }
    }
    return failed;
  }

  /** Alone: true. Clustered: the Hazelcast member runs and the Vert.x cluster manager is active. */
  private boolean clusterJoined() {
    ClusterManager manager = ClusterManagers.of(vertx);
    if (manager == null) {
      return true;
    }
    return manager.isActive() && HazelcastSetup.hazelcast(vertx).map(hz -> hz.getLifecycleService().isRunning()).orElse(true);
  }
}
