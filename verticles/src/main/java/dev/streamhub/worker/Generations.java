package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.WorkerConfig;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.stream.Utf16;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The edge's side of the worker protocol: list models, start a generation (create the stream, hand
 * the request to a worker), cancel one.
 */
public final class Generations {

  /** Tries to hand a generation to a worker when the chosen one had just stopped taking requests. */
  static final int HAND_OVER_ATTEMPTS = 3;
  static final long HAND_OVER_RETRY_MS = 50;

  private final Vertx vertx;
  private final StreamLog log;
  private final StreamWriter writer;
  private final WorkerConfig config;
  private final ModelRegistry registry;

  public Generations(Vertx vertx, StreamLog log, StreamWriter writer, WorkerConfig config) {
    this.vertx = vertx;
    this.log = log;
    this.writer = writer;
    this.config = config;
    this.registry = new ModelRegistry(vertx);
  }

  /** Every model some live worker serves, sorted by id, in OpenAI's model-object shape ({@link ModelRegistry}). */
  public Future<List<JsonObject>> models() {
    return registry.live();
  }

  /**
   * Creates a stream for a client's validated {@code request} (its model, owned by its owner) and
   * hands the request, now naming the stream, to a worker. Fails with
   * {@code model_not_found} (no live worker serves it: unknown, or its workers left; {@code store_unavailable}
   * instead on a node cut off from the majority of the cluster) or
   * {@code no_worker_available} (no worker took it: none is registered for it on the event bus, or
   * none accepted within {@code worker_accept_timeout_ms}, each said in the message); in the second
   * case the stream is ended with that error so that nobody waits on it. Messages with an unpaired
   * UTF-16 surrogate are {@code bad_request} (a model would echo it into the stream, where no
   * transport can send it). Fails first with {@code rate_limited} when the
   * token budget of its {@link GenerateRequest#quota} is spent or its consumer runs
   * {@code limits_concurrent_streams} generations ({@link NodeLimits#admitGeneration}).
   */
  public Future<StreamMeta> start(GenerateRequest request) {
    String model = request.model();
    if (StreamMeta.EXTERNAL.equals(model)) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST,
          "'external' is not a model; create an external stream with {\"publisher\":\"external\"}"));
    }
    String lone = Utf16.describeLoneSurrogate(request.messages(), "messages");
    if (lone != null) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, lone));
    }
    NodeLimits limits = NodeLimits.of(vertx);
    return registry.serves(model)
        .compose(served -> !served
            ? Future.failedFuture(notServed(model))
            : limits.admitGeneration(request.quota()))
        .compose(admitted -> log.create(StreamMeta.fresh(StreamIds.next(), request.owner(), model, System.currentTimeMillis()))
            .onFailure(notCreated -> limits.releaseSlot(admitted))
            .compose(meta -> handOver(request.withStream(meta.id()).withQuota(admitted), limits).map(meta)));
  }

  /**
   * Why no live worker serves {@code model}: {@code model_not_found}; or, on a node cut off from the
   * majority of the cluster (which sees only its own copy of the model registry, often without the
   * model), {@code store_unavailable}, so that the client goes to another node rather than give up.
   */
  private HubException notServed(String model) {
    return HazelcastSetup.hasQuorum(vertx)
        ? new HubException(ErrorCode.MODEL_NOT_FOUND, "The model '" + model + "' does not exist: no live worker serves it")
        : new HubException(ErrorCode.STORE_UNAVAILABLE, "this node is cut off from the majority of the cluster and cannot start a"
            + " generation; retry through another node");
  }

  /**
   * Cancels a generation: the worker running it stops and appends {@code cancelled}. If no worker
   * runs it any more, the hub appends {@code cancelled} itself. Fails with {@code stream_finished}
   * when the stream has already ended.
   */
  public Future<Event> cancel(String stream) {
    return log.meta(stream).compose(meta -> {
      if (meta.finished()) {
        return Future.failedFuture(finished(stream));
      }
      return askWorker(stream)
          .map(reply -> Event.fromJson(reply.body()))
          .recover(err -> {
            if (err instanceof ReplyException && ((ReplyException) err).failureType() == ReplyFailure.RECIPIENT_FAILURE) {
              return Future.failedFuture(((ReplyException) err).failureCode() == 409
                  ? finished(stream)
                  : new HubException(ErrorCode.INTERNAL_ERROR, "the worker could not cancel: " + err.getMessage()));
            }
            return writer.write(stream, NewEvent.cancelled("client")).map(events -> events.get(0));
          });
    });
  }

  /**
   * Asks the worker generating {@code stream} to cancel it: through the node its lease names
   * ({@code streamhub.node-cancel.<node>}), else (no lease, or that node does not run it: a worker
   * over the bridge) on the stream's own cancel address, cluster-wide.
   */
  private Future<Message<JsonObject>> askWorker(String stream) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.acceptTimeoutMs());
    JsonObject reason = new JsonObject().put("reason", "client");
    return Leases.holder(vertx, stream).compose(node -> node == null
        ? direct(stream, reason, options)
        : vertx.eventBus().<JsonObject>request(Addresses.nodeCancel(node), reason.copy().put("stream", stream), options)
            .recover(err -> notRunThere(err) ? direct(stream, reason, options) : Future.failedFuture(err)));
  }

  private Future<Message<JsonObject>> direct(String stream, JsonObject reason, DeliveryOptions options) {
    return vertx.eventBus().request(Addresses.cancel(stream), reason, options);
  }

  /** The lease's node has no worker verticle (any more) or no generation of the stream. */
  private static boolean notRunThere(Throwable err) {
    if (!(err instanceof ReplyException)) {
      return false;
    }
    ReplyException reply = (ReplyException) err;
    return reply.failureType() == ReplyFailure.NO_HANDLERS
        || (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == WorkerVerticle.NOT_HERE);
  }

  /**
   * Hands the request to a worker; when none takes it the stream ends with the error, and the
   * generation's slot is given back: by the edge, unless the worker answered
   * {@link WorkerVerticle#NOT_STARTED} (it gave the slot back itself, from whichever node held it:
   * its own once it had taken it over, which the edge's holder no longer has).
   */
  private Future<Void> handOver(GenerateRequest request, NodeLimits limits) {
    return send(request, HAND_OVER_ATTEMPTS)
        .recover(err -> {
          ReplyFailure failure = err instanceof ReplyException ? ((ReplyException) err).failureType() : null;
          boolean notStarted = failure == ReplyFailure.RECIPIENT_FAILURE && ((ReplyException) err).failureCode() == WorkerVerticle.NOT_STARTED;
          if (!notStarted) {
            limits.releaseSlot(request.quota());
          }
          HubException noWorker = new HubException(ErrorCode.NO_WORKER_AVAILABLE, failure == ReplyFailure.NO_HANDLERS
              ? "no worker serves model '" + request.model() + "' now (none takes requests: they left or are draining); try again later"
              : notStarted
                  ? "the worker could not start the generation for model '" + request.model() + "'; try again later"
                  : "no worker accepted the generation for model '" + request.model() + "' within " + config.acceptTimeoutMs()
                      + " ms (worker_accept_timeout_ms); try again later");
          return writer.write(request.stream(), NewEvent.error(noWorker)).transform(ignored -> Future.failedFuture(noWorker));
        });
  }

  /**
   * Sends the request to a worker. A worker that stopped taking requests between the bus choosing
   * it and the request arriving (its node is draining) answers "no handlers": the request is sent
   * again, and the bus chooses among the workers left.
   */
  private Future<Void> send(GenerateRequest request, int attempts) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.acceptTimeoutMs());
    return vertx.eventBus().request(Addresses.generate(request.model()), request.toJson(), options)
        .<Void>mapEmpty()
        .recover(err -> {
          if (attempts > 1 && err instanceof ReplyException && ((ReplyException) err).failureType() == ReplyFailure.NO_HANDLERS) {
            return vertx.timer(HAND_OVER_RETRY_MS).compose(waited -> send(request, attempts - 1));
          }
          return Future.failedFuture(err);
        });
  }

  private static HubException finished(String stream) {
    return new HubException(ErrorCode.STREAM_FINISHED, "stream '" + stream + "' has already ended");
  }
}
