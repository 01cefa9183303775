package dev.streamhub.worker;

import dev.streamhub.ops.metrics.GenerationMeters;
import dev.streamhub.ops.metrics.GenerationMeters.Outcome;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A {@link ModelBackend} measured by {@link GenerationMeters} ({@code streamhub_generations_*}): each
 * generation is started on the meters when requested, its deltas counted as they pass, and ended
 * {@code done} on finish, {@code error} on fail, {@code stopped} when its stop runs first. Everything
 * else passes through unchanged.
 */
final class MeteredBackend implements ModelBackend {

  private final ModelBackend backend;
  private final GenerationMeters meters;

  MeteredBackend(ModelBackend backend, GenerationMeters meters) {
    this.backend = backend;
    this.meters = meters;
  }

  @Override
  public Future<Void> start() {
    return backend.start();
  }

  @Override
  public List<JsonObject> models() {
    return backend.models();
  }

  @Override
  public Runnable generate(GenerateRequest request, TokenSink out) {
    GenerationMeters.Generation generation = meters.started();
    Runnable stop = backend.generate(request, new Measured(out, generation));
    return () -> {
      generation.end(Outcome.STOPPED);
      stop.run();
    };
  }

  /** One generation's sink, passing everything on. Called on the worker's context only. */
  private static final class Measured implements TokenSink {
    private final TokenSink out;
    private final GenerationMeters.Generation generation;

    Measured(TokenSink out, GenerationMeters.Generation generation) {
      this.out = out;
      this.generation = generation;
    }

    @Override
    public void delta(String text) {
      generation.deltas(1);
      out.delta(text);
    }

    @Override
    public void deltas(List<String> texts) {
      generation.deltas(texts.size());
      out.deltas(texts);
    }

    @Override
    public void finish(String finishReason, int promptTokens, int completionTokens) {
      generation.end(Outcome.DONE);
      out.finish(finishReason, promptTokens, completionTokens);
    }

    @Override
    public void fail(HubException error) {
      generation.end(Outcome.ERROR);
      out.fail(error);
    }
  }
}
