package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.Shard;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished stream of N events (default 10,000 tokens, generated as fast as the demo worker
 * goes) read from offset 0 over and over, one read at a time: the time from sending the request to
 * the terminal event, after a few warm-up reads. Every read is checked complete and in order.
 */
public final class ResumeReplay implements Scenario {

  private int tokens;
  private int runs;
  private int warmup;
  private final Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public String name() {
    return "resume-replay";
  }

  @Override
  public void configure(BenchOptions o) {
    tokens = o.integer("tokens", 10_000, 1, 10_000_000);
    runs = o.integer("runs", 20, 1, 10_000);
    warmup = o.integer("warmup", 10, 0, 10_000);
    settings.put("DEMO_TOKENS_PER_SECOND", "1000000");
    settings.put("DEMO_TTFT_MS", "0");
    settings.put("DEMO_ANSWER_TOKENS", Integer.toString(tokens));
    settings.put("DEMO_MAX_TOKENS", Integer.toString(Math.max(tokens, 512)));
    settings.put("LOG_MAX_EVENTS_PER_STREAM", Integer.toString(Math.max(tokens + 16, 100_000)));
  }

  @Override
  public Map<String, String> hubSettings() {
    return settings;
  }

  @Override
  public int connections() {
    return 4;
  }

  @Override
  public JsonObject run(ScenarioRun run) {
    ResourceSampler sampler = run.sampler();
    Shard shard = run.fleet().shards().get(0);
    String stream = shard.call(() -> shard.createStream("benchmark replay", tokens)).await();
    awaitFinished(shard, stream);
    long events = shard.call(() -> shard.getJson("/v1/streams/" + stream)).await().getLong("next_offset");

    Sample start = sampler.mark();
    double[] millis = new double[warmup + runs];
    List<String> problems = new ArrayList<>();
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    for (int i = 0; i < millis.length; i++) {
      long origin = Clock.micros();
      long t0 = System.nanoTime();
      ReaderSet set = shard.call(() -> {
        ReaderSet s = new ReaderSet(shard, run.transport(), origin);
        s.deadline(60_000);
        s.open(stream, 0);
        return s.allDone();
      }).await();
      millis[i] = (System.nanoTime() - t0) / 1e6;
      StreamReader reader = set.readers.get(0);
      lost += reader.check.lost() + Math.max(0, events - reader.check.next());
      duplicates += reader.check.duplicates();
      outOfOrder += reader.check.outOfOrder();
      if (!"done".equals(reader.terminal) || reader.check.received() != events || reader.check.lost() > 0
          || reader.check.duplicates() > 0 || reader.check.outOfOrder() > 0) {
        problems.add("read " + i + ": received " + reader.check.received() + " of " + events + " events, lost "
            + reader.check.lost() + ", duplicates " + reader.check.duplicates() + ", terminal " + reader.terminal
            + (reader.failure == null ? "" : ", " + reader.failure));
      }
    }
    Sample end = sampler.mark();

    double[] measured = Arrays.copyOfRange(millis, warmup, millis.length);
    double[] sorted = measured.clone();
    Arrays.sort(sorted);
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    JsonArray all = new JsonArray();
    for (double m : millis) {
      all.add(round(m));
    }
    JsonObject json = new JsonObject()
        .put("clients", 1)
        .put("streams", 1)
        .put("events", events)
        .put("runs", runs)
        .put("warmup_runs", warmup)
        .put("delivered_per_s", Math.round(events / (median / 1000)))
        .put("replay_ms_median", round(median))
        .put("replay_ms_min", round(sorted[0]))
        .put("replay_ms_max", round(sorted[sorted.length - 1]))
        .put("replay_ms_first_cold", round(millis[0]))
        .put("replay_ms_all", all)
        .put("p50_ms", round(median))
        .put("p99_ms", null)
        .put("max_ms", round(sorted[sorted.length - 1]))
        .put("latency_kind", "whole replay of the stream (request sent to terminal event), not per-token latency")
        .put("lost", lost)
        .put("duplicates", duplicates)
        .put("out_of_order", outOfOrder)
        .put("errors", problems.size())
        .put("error_samples", new JsonArray(problems.subList(0, Math.min(5, problems.size()))));
    Resources.put(json, sampler, start, end);
    json.put("target_check", new JsonObject()
        .put("goal", "replay " + events + " events in under 100 ms")
        .put("measured", "median " + round(median) + " ms over " + runs + " reads (" + warmup + " warm-up reads before)")
        .put("met", median < 100 && problems.isEmpty() && events >= 10_000));
    return json;
  }

  private static void awaitFinished(Shard shard, String stream) {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject meta = shard.call(() -> shard.getJson("/v1/streams/" + stream)).await();
      if (meta.getBoolean("finished", false)) {
        return;
      }
      Promise<Void> tick = Promise.promise();
      shard.context().owner().setTimer(100, id -> tick.complete());
      tick.future().await();
    }
    throw new IllegalStateException("stream " + stream + " did not finish within 120 s");
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
