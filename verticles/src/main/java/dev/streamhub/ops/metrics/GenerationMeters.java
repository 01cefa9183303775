package dev.streamhub.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generations of a node's workers, measured at the {@code worker.ModelBackend} boundary by
 * {@code worker.MeteredBackend} (no change to how a generation runs): {@code streamhub_generations_started_total},
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

  /** How a generation ended: {@code done}, {@code error}, or {@code stopped} (cancelled, abandoned by a drain, ended elsewhere). */
  public enum Outcome {
    DONE, ERROR, STOPPED
  }

  /** A generation requested now: counted as started and active until its first {@link Generation#end}. */
  public Generation started() {
    return new Generation();
  }

  /**
   * One generation's meters, fed by the worker ({@code worker.MeteredBackend} wraps every
   * {@code ModelBackend} with them). Called on the worker's context only.
   */
  public final class Generation {
    private final long requested = System.nanoTime();
    private long firstDelta;
    private long deltas;
    private boolean ended;

    private Generation() {
      started.increment();
      active.incrementAndGet();
    }

    /** {@code n} deltas arrived: the first one records the time to first token. */
    public void deltas(int n) {
      if (n > 0 && deltas == 0) {
        firstDelta = System.nanoTime();
        timeToFirstToken.record(Duration.ofNanos(firstDelta - requested));
      }
      deltas += n;
    }

    /** The generation ended with {@code outcome}; later calls do nothing. */
    public void end(Outcome outcome) {
      if (ended) {
        return;
      }
      ended = true;
      active.decrementAndGet();
      (outcome == Outcome.DONE ? done : outcome == Outcome.ERROR ? failed : stopped).increment();
      long nanos = System.nanoTime() - firstDelta;
      if (deltas >= 2 && nanos > 0) {
        tokensPerSecond.record(deltas * 1e9 / nanos);
      }
    }
  }
}
