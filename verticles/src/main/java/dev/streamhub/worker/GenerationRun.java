package dev.streamhub.worker;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation on a worker: writes what the backend produces, in order, and takes cancel
 * requests for its stream on {@code streamhub.cancel.<stream>}. Ends with exactly one terminal event.
 */
final class GenerationRun implements TokenSink {

  private static final Logger LOG = LoggerFactory.getLogger(GenerationRun.class);

  private final String stream;
  private final StreamWriter writer;
  private final MessageConsumer<JsonObject> cancels;
  private Future<?> tail = Future.succeededFuture();
  private Runnable stopBackend = () -> {};
  private Leases.Lease lease;
  private boolean ended;

  private GenerationRun(Vertx vertx, String stream, StreamWriter writer) {
    this.stream = stream;
    this.writer = writer;
    this.cancels = vertx.eventBus().consumer(Addresses.cancel(stream), this::onCancel);
  }

  /** Registers for cancel requests, takes the stream's liveness lease, then starts the backend. */
  static Future<GenerationRun> start(Vertx vertx, StreamWriter writer, Leases leases, ModelBackend backend, GenerateRequest request) {
    GenerationRun run = new GenerationRun(vertx, request.stream(), writer);
    return run.cancels.completion()
        .compose(registered -> leases.hold(request.stream()))
        .onFailure(err -> run.cancels.unregister())
        .map(lease -> {
          run.lease = lease;
          run.stopBackend = backend.generate(request, run);
          return run;
        });
  }

  @Override
  public void delta(String text) {
    if (!ended) {
      write(List.of(NewEvent.delta(text)));
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

  private void onCancel(Message<JsonObject> request) {
    if (ended) {
      request.fail(409, "stream_finished");
      return;
    }
    stopBackend.run();
    String reason = request.body() == null ? "client" : request.body().getString("reason", "client");
    end(List.of(NewEvent.cancelled(reason))).onComplete(ar -> {
      if (ar.succeeded()) {
        request.reply(ar.result().get(0).toJson());
      } else {
        request.fail(500, HubException.of(ar.cause()).code().code());
      }
    });
  }

  private Future<List<Event>> end(List<NewEvent> events) {
    ended = true;
    Future<List<Event>> last = write(events);
    last.onComplete(ar -> {
      cancels.unregister();
      lease.release();
    });
    return last;
  }

  /** Appends after every earlier write, so the log holds events in the order they were produced. */
  private Future<List<Event>> write(List<NewEvent> events) {
    Future<List<Event>> written = tail.transform(previous -> writer.write(stream, events));
    written.onFailure(err -> {
      if (!ended) {
        LOG.warn("stream={} append failed, stopping its generation: {}", stream, err.getMessage());
        ended = true;
        stopBackend.run();
        cancels.unregister();
        lease.release();
      }
    });
    tail = written;
    return written;
  }
}
