package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.limits.Quota;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation on a worker: writes what the backend produces, in order, and takes cancel
 * requests for its stream on {@code streamhub.cancel.<stream>} (on this node: the hub sends them to the
 * node's {@code streamhub.node-cancel.<node>}, which {@link WorkerVerticle} hands on). Ends with exactly one terminal event.
 *
 * <p>Coalescing: one append is in flight at a time; events the backend produces meanwhile wait and
 * go out together in the next append. A token never waits for company (with nothing in flight it is
 * appended at once), so this adds no latency, while a slow store (a remote Hazelcast append costs
 * about a millisecond) is asked once per batch instead of once per token.
 */
final class GenerationRun implements TokenSink {

  private static final Logger LOG = LoggerFactory.getLogger(GenerationRun.class);
  /** Events per append at most, so that one batch stays one modest event-bus message. */
  static final int MAX_BATCH = 256;

  private final String stream;
  private final StreamWriter writer;
  /** The generation's limit keys: its token budget is metered per batch, its stream slot given back at the end. */
  /** The generation's quota; its slot holder is this node's once {@link NodeLimits#adoptSlot} moved it. */
  private Quota quota;
  private final NodeLimits limits;
  private final MessageConsumer<JsonObject> cancels;
  private final ArrayDeque<NewEvent> waiting = new ArrayDeque<>();
  private final Promise<Event> terminal = Promise.promise();
  private boolean appending;
  private boolean released;
  private Runnable stopBackend = () -> {};
  private Leases.Lease lease;
  private boolean ended;

  private GenerationRun(Vertx vertx, String stream, StreamWriter writer, Quota quota) {
    this.stream = stream;
    this.writer = writer;
    this.quota = quota;
    this.limits = NodeLimits.of(vertx);
    // this node only: the hub reaches it through the node's cancel address (WorkerVerticle)
    this.cancels = vertx.eventBus().localConsumer(Addresses.cancel(stream), this::onCancel);
  }

  /**
   * Registers for cancel requests, takes the stream's liveness lease and the generation's slot
   * ({@link NodeLimits#adoptSlot}), then starts the backend. A start that fails gives back what it
   * took, the slot from whichever holder has it then (this node once it moved, else the edge), so
   * that the edge, told {@link WorkerVerticle#NOT_STARTED}, gives back nothing itself.
   */
  static Future<GenerationRun> start(Vertx vertx, StreamWriter writer, Leases leases, ModelBackend backend, GenerateRequest request) {
    GenerationRun run = new GenerationRun(vertx, request.stream(), writer, request.quota());
    return run.cancels.completion()
        .compose(registered -> leases.hold(request.stream()))
        .compose(lease -> {
          run.lease = lease;
          return run.limits.adoptSlot(request.quota()); // the slot goes back if this node dies
        })
        .map(adopted -> {
          run.quota = adopted;
          run.stopBackend = backend.generate(request, run);
          return run;
        })
        .onFailure(notStarted -> run.release());
  }

  @Override
  public void delta(String text) {
    if (!ended) {
      waiting.add(NewEvent.delta(text));
      appendWaiting();
    }
  }

  @Override
  public void deltas(List<String> texts) {
    if (!ended) {
      texts.forEach(text -> waiting.add(NewEvent.delta(text)));
      appendWaiting();
    }
  }

  @Override
  public void finish(String finishReason, int promptTokens, int completionTokens) {
    if (!ended) {
      end(List.of(NewEvent.usage(promptTokens, completionTokens), NewEvent.done(finishReason)));
    }
  }

  @Override
  public void fail(HubException error) {
    if (!ended) {
      end(List.of(NewEvent.error(error)));
    }
  }

  /** Completes with the terminal event once it is in the log, or fails when the run stopped on a failed append. */
  Future<Event> ended() {
    return terminal.future();
  }

  /** Stops the backend and ends the stream with {@code error} (say, the node is draining and time is up). */
  void abandon(HubException error) {
    if (!ended) {
      stopBackend.run();
      end(List.of(NewEvent.error(error)));
    }
  }

  private void onCancel(Message<JsonObject> request) {
    if (ended) {
      request.fail(409, "stream_finished");
      return;
    }
    stopBackend.run();
    String reason = request.body() == null ? "client" : request.body().getString("reason", "client");
    end(List.of(NewEvent.cancelled(reason)))
        .onSuccess(terminal -> request.reply(terminal.toJson()))
        .onFailure(err -> request.fail(500, HubException.of(err).code().code()));
  }

  /** Queues the terminal events; the future holds the terminal event once it is in the log. */
  private Future<Event> end(List<NewEvent> events) {
    ended = true;
    waiting.addAll(events);
    appendWaiting();
    return terminal.future();
  }

  /** Appends everything waiting, in order, as one batch, unless an append is in flight. */
  private void appendWaiting() {
    if (appending || waiting.isEmpty()) {
      return;
    }
    int size = Math.min(waiting.size(), MAX_BATCH);
    // Taken from the head of a deque: a backlog of thousands costs each batch its own size, not
    // a shift of everything behind it.
    NewEvent[] taken = new NewEvent[size];
    for (int i = 0; i < size; i++) {
      taken[i] = waiting.poll();
    }
    List<NewEvent> batch = List.of(taken);
    appending = true;
    meter(batch).compose(metered -> writer.write(stream, metered, lease.epoch())).onComplete(ar -> {
      appending = false;
      if (ar.failed()) {
        stop(ar.cause());
        return;
      }
      Event last = ar.result().get(ar.result().size() - 1);
      if (last.type().isTerminal()) {
        release();
        terminal.tryComplete(last);
      } else {
        appendWaiting();
      }
    });
  }

  /**
   * Counts the batch's tokens (delta events) against the generation's token budget. When only part
   * fits, the batch is cut after the last token that fit and ends with the terminal {@code error}
   * {@code token_quota_exceeded}, and the backend is stopped: the stream ends at the token where
   * the budget ran out. A limiter that cannot be reached lets the batch through (fail open, logged).
   */
  private Future<List<NewEvent>> meter(List<NewEvent> batch) {
    if (!limits.metersTokens(quota)) {
      return Future.succeededFuture(batch);
    }
    long tokens = batch.stream().filter(event -> event.type() == EventType.DELTA).count();
    if (tokens == 0) {
      return Future.succeededFuture(batch);
    }
    return limits.takeTokens(quota, tokens).map(granted -> {
      if (granted == tokens) {
        return batch;
      }
      List<NewEvent> cut = new ArrayList<>();
      long left = granted;
      for (NewEvent event : batch) {
        if (event.type().isTerminal() || (event.type() == EventType.DELTA && left-- == 0)) {
          break;
        }
        cut.add(event);
      }
      cut.add(NewEvent.error(limits.quotaExceeded()));
      if (!ended) {
        stopBackend.run();
      }
      ended = true;
      waiting.clear();
      LOG.info("stream={} ended: token budget ran out after {} more token(s)", stream, granted);
      return cut;
    }).recover(err -> {
      if (err instanceof HubException) {
        return Future.failedFuture(err);
      }
      LOG.warn("stream={} token limiter unavailable, not metering this batch: {}", stream, err.getMessage());
      return Future.succeededFuture(batch);
    });
  }

  /**
   * An append failed (say, the stream was ended elsewhere): nothing more is written. When the store
   * is unavailable here ({@code store_unavailable}: this node is cut off from the quorum) the stream
   * has not ended: the lease is abandoned rather than released, so that the watchdog on the quorum
   * side sees its beats stop and ends the stream with {@code worker_lost}.
   */
  private void stop(Throwable err) {
    if (!ended) {
      LOG.atWarn().addKeyValue("stream", stream).log("append failed, stopping its generation: {}", err.getMessage());
      stopBackend.run();
    }
    ended = true;
    waiting.clear();
    if (HubException.of(err).code() == ErrorCode.STORE_UNAVAILABLE && !released) {
      released = true;
      cancels.unregister();
      lease.abandon();
    } else {
      release();
    }
    terminal.tryFail(err);
  }

  private void release() {
    if (!released) {
      released = true;
      cancels.unregister();
      if (lease != null) { // null: the start failed before the lease was taken
        lease.release();
      }
      limits.releaseSlot(quota);
    }
  }
}
