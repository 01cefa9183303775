package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}, in OpenAI's shape. */
public final class ModelsHandler {

  private final Generations generations;

  public ModelsHandler(Generations generations) {
    this.generations = generations;
  }

  public void mount(Router router) {
    router.get("/v1/models").handler(this::list);
    router.get("/v1/models/:id").handler(this::one);
  }

  private void list(RoutingContext rc) {
    generations.models()
        .onSuccess(models -> ok(rc, new JsonObject().put("object", "list").put("data", new JsonArray(models))))
        .onFailure(rc::fail);
  }

  private void one(RoutingContext rc) {
    String id = rc.pathParam("id");
    generations.models()
        .compose(models -> models.stream().filter(m -> id.equals(m.getString("id"))).findFirst()
            .map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(new HubException(ErrorCode.MODEL_NOT_FOUND, "The model '" + id + "' does not exist"))))
        .onSuccess(model -> ok(rc, model))
        .onFailure(rc::fail);
  }

  private static void ok(RoutingContext rc, JsonObject body) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
