package dev.streamhub.ops.metrics;

import dev.streamhub.stream.HubException;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.ModelBackend;
import dev.streamhub.worker.TokenSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generations of a node's workers, measured at the {@link ModelBackend} boundary (no change to
 * how a generation runs): {@code streamhub_generations_started_total},
 * {@code streamhub_generations_active}, {@code streamhub_generations_ended_total{outcome}}
 * ({@code done}, {@code error}, {@code stopped}: cancelled, abandoned by a drain, or its stream
 * ended elsewhere), {@code streamhub_generation_time_to_first_token_seconds} (request to first
 * delta) and {@code streamhub_generation_tokens_per_second} (deltas per second from the first
 * delta to the end; generations of fewer than 2 deltas are not counted).
 */
public final class GenerationMeters {

  private final Counter started;
  private final AtomicInteger active = new AtomicInteger();
  private final Counter done;
  private final Counter failed;
  private final Counter stopped;
  private final Timer timeToFirstToken;
  private final DistributionSummary tokensPerSecond;

  public GenerationMeters(MeterRegistry registry) {
    started = Counter.builder("streamhub.generations.started").description("Generations a worker of this node started").register(registry);
    registry.gauge("streamhub.generations.active", active);
    done = ended(registry, "done");
    failed = ended(registry, "error");
    stopped = ended(registry, "stopped");
    timeToFirstToken = Timer.builder("streamhub.generation.time.to.first.token")
        .description("From the generation request to its first delta")
        .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30))
        .register(registry);
    tokensPerSecond = DistributionSummary.builder("streamhub.generation.tokens.per.second")
        .description("Deltas per second of a generation, from its first delta to its end")
        .serviceLevelObjectives(1, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)
        .register(registry);
  }

  private static Counter ended(MeterRegistry registry, String outcome) {
    return Counter.builder("streamhub.generations.ended").tag("outcome", outcome)
        .description("Generations that ended on this node, by outcome").register(registry);
  }

  /** {@code backend}, measured. */
  public ModelBackend wrap(ModelBackend backend) {
    return new ModelBackend() {
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
        Measured measured = new Measured(out);
        Runnable stop = backend.generate(request, measured);
        return () -> {
          measured.end(stopped);
          stop.run();
        };
      }
    };
  }

  /** One generation's sink, passing everything on. Called on the worker's context only. */
  private final class Measured implements TokenSink {
    private final TokenSink out;
    private final long requested = System.nanoTime();
    private long firstDelta;
    private long deltas;
    private boolean ended;

    Measured(TokenSink out) {
      this.out = out;
      started.increment();
      active.incrementAndGet();
    }

    @Override
    public void delta(String text) {
      counted(1);
      out.delta(text);
    }

    @Override
    public void deltas(List<String> texts) {
      counted(texts.size());
      out.deltas(texts);
    }

    @Override
    public void finish(String finishReason, int promptTokens, int completionTokens) {
      end(done);
      out.finish(finishReason, promptTokens, completionTokens);
    }

    @Override
    public void fail(HubException error) {
      end(failed);
      out.fail(error);
    }

    private void counted(int n) {
      if (n > 0 && deltas == 0) {
        firstDelta = System.nanoTime();
        timeToFirstToken.record(Duration.ofNanos(firstDelta - requested));
      }
      deltas += n;
    }

    void end(Counter outcome) {
      if (ended) {
        return;
      }
      ended = true;
      active.decrementAndGet();
      outcome.increment();
      long nanos = System.nanoTime() - firstDelta;
      if (deltas >= 2 && nanos > 0) {
        tokensPerSecond.record(deltas * 1e9 / nanos);
      }
    }
  }
}
