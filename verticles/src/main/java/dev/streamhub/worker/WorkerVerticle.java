package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.config.WorkerConfig;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Serves one {@link ModelBackend}: takes generation requests for its models from the event bus
 * (point to point, so the bus balances them across workers) and runs each as a {@link GenerationRun}.
 */
public final class WorkerVerticle extends VerticleBase {

  private final Function<io.vertx.core.Vertx, ModelBackend> backendFactory;
  private final StreamWriter writer;
  private final WorkerConfig config;
  private ModelBackend backend;
  private Leases leases;

  public WorkerVerticle(Function<io.vertx.core.Vertx, ModelBackend> backendFactory, StreamWriter writer, WorkerConfig config) {
    this.backendFactory = backendFactory;
    this.writer = writer;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    backend = backendFactory.apply(vertx);
    leases = new Leases(vertx, config);
    return backend.start().compose(started -> registerModels());
  }

  private Future<?> registerModels() {
    List<Future<?>> ready = new ArrayList<>();
    Future<AsyncMap<String, JsonObject>> models = vertx.sharedData().getAsyncMap(Addresses.MODELS_MAP);
    for (JsonObject model : backend.models()) {
      String id = model.getString("id");
      ready.add(vertx.eventBus().<JsonObject>consumer(Addresses.generate(id), this::onGenerate).completion());
      ready.add(models.compose(map -> map.put(id, model)));
    }
    return Future.all(ready);
  }

  private void onGenerate(Message<JsonObject> message) {
    GenerateRequest request = GenerateRequest.fromJson(message.body());
    GenerationRun.start(vertx, writer, leases, backend, request)
        .onSuccess(run -> message.reply(new JsonObject().put("stream", request.stream()).put("accepted", true)))
        .onFailure(err -> message.fail(500, "worker could not start: " + err.getMessage()));
  }
}
