package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.WorkerConfig;
import dev.streamhub.ops.Drain;
import dev.streamhub.ops.metrics.HubMetrics;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link ModelBackend}: takes generation requests for its models from the event bus
 * (point to point, so the bus balances them across workers) and runs each as a {@link GenerationRun}.
 */
public final class WorkerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);

  /** The failure code of a node cancel request for a stream no generation here writes. */
  static final int NOT_HERE = 404;
  /**
   * The failure code of a generation request this worker could not start: it has given back the
   * generation's concurrent-stream slot (from whichever node held it), so the edge must not.
   */
  static final int NOT_STARTED = 599;
  private static final DeliveryOptions THIS_NODE = new DeliveryOptions().setLocalOnly(true);

  /** A drain ends unfinished generations this long (at most a quarter of the drain) before its deadline. */
  static final long ABANDON_BEFORE_DEADLINE_MS = 1000;

  private final Function<io.vertx.core.Vertx, ModelBackend> backendFactory;
  private final StreamWriter writer;
  private final WorkerConfig config;
  private final Drain drain;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final Set<GenerationRun> running = new HashSet<>();
  private ModelBackend backend;
  private Leases leases;
  private ModelRegistry registry;

  public WorkerVerticle(Function<io.vertx.core.Vertx, ModelBackend> backendFactory, StreamWriter writer, WorkerConfig config,
      Drain drain) {
    this.backendFactory = backendFactory;
    this.writer = writer;
    this.config = config;
    this.drain = drain;
  }

  @Override
  public Future<?> start() {
    backend = new MeteredBackend(backendFactory.apply(vertx), HubMetrics.of(vertx).generations());
    leases = new Leases(vertx, config);
    registry = new ModelRegistry(vertx);
    // one clustered consumer per worker for cancels; each generation's own is local (GenerationRun)
    MessageConsumer<JsonObject> nodeCancels = vertx.eventBus().consumer(Addresses.nodeCancel(HazelcastSetup.nodeId(vertx)), this::onNodeCancel);
    return nodeCancels.completion().compose(registered -> backend.start()).compose(started -> registerModels()).onSuccess(ready -> drain.register(new Drain.Participant() {
      @Override
      public Future<Void> drain(long deadline) {
        return WorkerVerticle.this.drain(deadline);
      }

      @Override
      public Future<Void> pause(long deadline) {
        return WorkerVerticle.this.pause();
      }

      @Override
      public void resume() {
        registerModels().onFailure(err -> LOG.warn("worker: cannot take generations again after an admin drain: {}", err.getMessage()));
      }
    }));
  }

  /**
   * An admin drain: take no new generations and let the ones in flight run to their end, however
   * long (the node stays in the cluster, so nothing needs abandoning).
   */
  private Future<Void> pause() {
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(consumer -> unregistered.add(consumer.unregister()));
    consumers.clear();
    backend.models().forEach(model -> unregistered.add(registry.remove(ModelRegistry.WORKER, model.getString("id"))));
    List<Future<Event>> ends = new ArrayList<>();
    running.forEach(run -> ends.add(run.ended()));
    return Future.join(Future.join(unregistered), Future.join(ends)).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * A drain: take no new generations (the event bus sends them to the other workers; this node's
   * models are no longer listed as served by it), let the ones
   * in flight run to their end; those still running shortly before the deadline end with
   * {@code worker_lost}, so their readers learn it before the node leaves.
   */
  private Future<Void> drain(long deadline) {
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(consumer -> unregistered.add(consumer.unregister()));
    backend.models().forEach(model -> unregistered.add(registry.remove(ModelRegistry.WORKER, model.getString("id"))));
    List<Future<Event>> ends = new ArrayList<>();
    running.forEach(run -> ends.add(run.ended()));
    long left = deadline - System.currentTimeMillis();
    long abandonIn = Math.max(1, left - Math.min(ABANDON_BEFORE_DEADLINE_MS, left / 4));
    long timer = vertx.setTimer(abandonIn, id -> List.copyOf(running).forEach(run -> run.abandon(
        new HubException(ErrorCode.WORKER_LOST, "the worker's node shut down before the generation finished"))));
    return Future.join(Future.join(unregistered), Future.join(ends))
        .onComplete(done -> vertx.cancelTimer(timer))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Takes requests for each model of the backend and lists it in the {@link ModelRegistry} as served by this node. */
  private Future<?> registerModels() {
    List<Future<?>> ready = new ArrayList<>();
    for (JsonObject model : backend.models()) {
      String id = model.getString("id");
      MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.generate(id), this::onGenerate);
      consumers.add(consumer);
      ready.add(consumer.completion());
      ready.add(registry.add(ModelRegistry.WORKER, model));
    }
    return Future.all(ready);
  }

  /** {@code {"stream", "reason"}}: hands the cancel to the generation's local consumer, and its answer back. */
  private void onNodeCancel(Message<JsonObject> message) {
    String stream = message.body().getString("stream", "");
    vertx.eventBus().<JsonObject>request(Addresses.cancel(stream), new JsonObject().put("reason", message.body().getString("reason", "client")), THIS_NODE)
        .onSuccess(reply -> message.reply(reply.body()))
        .onFailure(err -> {
          if (err instanceof ReplyException && ((ReplyException) err).failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            message.fail(((ReplyException) err).failureCode(), err.getMessage());
          } else {
            message.fail(NOT_HERE, "no generation of stream '" + stream + "' runs on this node");
          }
        });
  }

  private void onGenerate(Message<JsonObject> message) {
    GenerateRequest request = GenerateRequest.fromJson(message.body());
    GenerationRun.start(vertx, writer, leases, backend, request)
        .onSuccess(run -> {
          running.add(run);
          run.ended().onComplete(ended -> running.remove(run));
          message.reply(new JsonObject().put("stream", request.stream()).put("accepted", true));
        })
        .onFailure(err -> message.fail(NOT_STARTED, "worker could not start: " + err.getMessage()));
  }
}
