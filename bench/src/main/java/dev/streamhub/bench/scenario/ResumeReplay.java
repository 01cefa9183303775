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
 * the terminal event, after a few warm-up reads. Every read is checked complete and in order. Both
 * ways in the same run: every event (the row's figures), then {@code compact=true} (under
 * {@code compact}: one {@code snapshot} event and the end; payload bytes per read against 1.2x the
 * text's UTF-8 bytes + 2 KB, median time against half the full replay's).
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
    Shard shard = run.fleet().shards().get(0);
    String stream = shard.call(() -> shard.createStream("benchmark replay", tokens)).await();
    awaitFinished(shard, stream);
    long events = shard.call(() -> shard.getJson("/v1/streams/" + stream)).await().getLong("next_offset");

    // both ways in the same run: every event (the default), then compact=true (one snapshot, then the end)
    Replays full = replay(run, shard, stream, events, false);
    Replays compact = replay(run, shard, stream, events, true);

    JsonObject json = full.json(events)
        .put("clients", 1)
        .put("streams", 1)
        .put("events", events)
        .put("runs", runs)
        .put("warmup_runs", warmup)
        .put("latency_kind", "whole replay of the stream (request sent to terminal event), not per-token latency");
    long textBytes = compact.textBytes;
    long byteBound = textBytes * 12 / 10 + 2048;
    JsonObject compactJson = compact.json(events)
        .put("text_bytes", textBytes)
        .put("snapshots_per_read", compact.snapshotsPerRead);
    json.put("compact", compactJson);
    json.put("target_check", new JsonObject()
        .put("goal", "replay " + events + " events in under 100 ms")
        .put("measured", "median " + round(full.median) + " ms over " + runs + " reads (" + warmup + " warm-up reads before)")
        .put("met", full.median < 100 && full.problems.isEmpty() && events >= 10_000));
    compactJson.put("target_check", new JsonObject()
        .put("goal", "compact=true: at most 1.2 x the text's UTF-8 bytes + 2 KB on the wire (" + byteBound
            + " bytes), and at most half the full replay's median time (" + round(full.median / 2) + " ms)")
        .put("measured", compact.bytesPerRead + " payload bytes per read (full replay " + full.bytesPerRead + "), median "
            + round(compact.median) + " ms")
        .put("met", compact.bytesPerRead <= byteBound && compact.median <= full.median / 2 && compact.problems.isEmpty()));
    return json;
  }

  /** Reads of one way (compact or not): times, checks, bytes. */
  private static final class Replays {
    double median;
    double[] sorted;
    double[] millis;
    final List<String> problems = new ArrayList<>();
    long lost;
    long duplicates;
    long outOfOrder;
    long bytesPerRead;
    long textBytes;
    long snapshotsPerRead;
    Sample start;
    Sample end;
    ResourceSampler sampler;

    JsonObject json(long events) {
      JsonArray all = new JsonArray();
      for (double m : millis) {
        all.add(round(m));
      }
      JsonObject json = new JsonObject()
          .put("delivered_per_s", Math.round(events / (median / 1000)))
          .put("replay_ms_median", round(median))
          .put("replay_ms_min", round(sorted[0]))
          .put("replay_ms_max", round(sorted[sorted.length - 1]))
          .put("replay_ms_first_cold", round(millis[0]))
          .put("replay_ms_all", all)
          .put("p50_ms", round(median))
          .put("p99_ms", null)
          .put("max_ms", round(sorted[sorted.length - 1]))
          .put("bytes_per_read", bytesPerRead)
          .put("lost", lost)
          .put("duplicates", duplicates)
          .put("out_of_order", outOfOrder)
          .put("errors", problems.size())
          .put("error_samples", new JsonArray(problems.subList(0, Math.min(5, problems.size()))));
      Resources.put(json, sampler, start, end);
      return json;
    }
  }

  private Replays replay(ScenarioRun run, Shard shard, String stream, long events, boolean compact) {
    Replays r = new Replays();
    r.sampler = run.sampler();
    r.start = r.sampler.mark();
    r.millis = new double[warmup + runs];
    for (int i = 0; i < r.millis.length; i++) {
      long origin = Clock.micros();
      long t0 = System.nanoTime();
      ReaderSet set = shard.call(() -> {
        ReaderSet s = new ReaderSet(shard, run.transport(), origin);
        s.deadline(60_000);
        s.open(stream, 0, compact);
        return s.allDone();
      }).await();
      r.millis[i] = (System.nanoTime() - t0) / 1e6;
      StreamReader reader = set.readers.get(0);
      r.bytesPerRead = reader.bytes;
      r.textBytes = reader.snapshotTextBytes;
      r.snapshotsPerRead = reader.snapshots;
      r.lost += reader.check.lost() + Math.max(0, events - reader.check.next());
      r.duplicates += reader.check.duplicates();
      r.outOfOrder += reader.check.outOfOrder();
      if (!"done".equals(reader.terminal) || reader.check.received() != events || reader.check.lost() > 0
          || reader.check.duplicates() > 0 || reader.check.outOfOrder() > 0 || (compact && reader.snapshots != 1)) {
        r.problems.add((compact ? "compact " : "") + "read " + i + ": received " + reader.check.received() + " of " + events
            + " events, lost " + reader.check.lost() + ", duplicates " + reader.check.duplicates() + ", snapshots "
            + reader.snapshots + ", terminal " + reader.terminal + (reader.failure == null ? "" : ", " + reader.failure));
      }
    }
    r.end = r.sampler.mark();
    double[] measured = Arrays.copyOfRange(r.millis, warmup, r.millis.length);
    r.sorted = measured.clone();
    Arrays.sort(r.sorted);
    r.median = r.sorted.length % 2 == 1 ? r.sorted[r.sorted.length / 2]
        : (r.sorted[r.sorted.length / 2 - 1] + r.sorted[r.sorted.length / 2]) / 2;
    return r;
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
