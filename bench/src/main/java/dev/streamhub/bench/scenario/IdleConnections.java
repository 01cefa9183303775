package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.load.Bounded;
import dev.streamhub.bench.load.ClientFleet;
import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.Shard;
import dev.streamhub.bench.measure.ClassHistogram;
import dev.streamhub.bench.measure.ProcStats;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * C idle connections (SSE, WebSocket subscribed to the stream, or a held long-poll) to one long-running stream (its first token is 10 minutes away, so the
 * connections carry nothing but the retry hint and heartbeats). Hub RSS is measured after a
 * full GC with a few warm-up connections open, then again with C more open: the difference over C
 * is the memory one idle connection costs.
 */
public final class IdleConnections implements Scenario {

  private static final int WARM = 100;

  private int clients;
  private int openConcurrency;
  private long settleMs;
  private final Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public String name() {
    return "idle-connections";
  }

  @Override
  public void configure(BenchOptions o) {
    clients = o.integer("clients", 10_000, 1, 1_000_000);
    openConcurrency = o.integer("open-concurrency", 200, 1, 10_000);
    settleMs = o.longValue("settle-ms", 3000, 0, 600_000);
    settings.put("DEMO_TTFT_MS", "600000");
    settings.put("DEMO_ANSWER_TOKENS", "100");
  }

  @Override
  public Map<String, String> hubSettings() {
    return settings;
  }

  @Override
  public int connections() {
    return clients + WARM + 16;
  }

  @Override
  public JsonObject run(ScenarioRun run) throws InterruptedException {
    ResourceSampler sampler = run.sampler();
    List<Shard> shards = run.fleet().shards();
    Shard first = shards.get(0);
    long origin = Clock.micros();
    String stream = first.call(() -> first.createStream("benchmark idle", 100)).await();

    List<ReaderSet> sets = new ArrayList<>();
    for (Shard shard : shards) {
      sets.add(shard.call(() -> Future.succeededFuture(new ReaderSet(shard, run.transport(), origin))).await());
    }
    openReaders(sets, stream, WARM);
    Sample start = sampler.mark();
    boolean gcBefore = run.hub().gc();
    Thread.sleep(settleMs);
    long before = rssNow(run);
    ClassHistogram heapBefore = ClassHistogram.parse(run.hub().classHistogram());

    openReaders(sets, stream, clients);
    Thread.sleep(settleMs);
    long afterNoGc = rssNow(run);
    boolean gcAfter = run.hub().gc();
    Thread.sleep(settleMs);
    long after = rssNow(run);
    ClassHistogram heapAfter = ClassHistogram.parse(run.hub().classHistogram());
    Sample end = sampler.mark();

    long opened = 0;
    long failed = 0;
    for (ReaderSet set : sets) {
      ReaderSet s = set;
      long[] counts = s.shard.call(() -> {
        long ok = 0;
        for (StreamReader r : s.readers) {
          if (r.openedAt >= 0 && !r.reading.done().isComplete()) {
            ok++;
          }
        }
        s.cancelAll();
        return Future.succeededFuture(new long[] {ok, s.errorCount});
      }).await();
      opened += counts[0];
      failed += counts[1];
    }
    long openedMeasured = opened - WARM;
    List<String> errors = new ArrayList<>();
    for (ReaderSet set : sets) {
      errors.addAll(set.errors);
    }
    JsonObject json = new JsonObject()
        .put("clients", clients)
        .put("streams", 1)
        .put("connections_open_at_measure", opened)
        .put("warm_connections", WARM)
        .put("delivered_per_s", null)
        .put("p50_ms", null)
        .put("p99_ms", null)
        .put("max_ms", null)
        // not measured: an idle connection never receives a token (the first is 10 minutes away)
        .putNull("lost")
        .putNull("duplicates")
        .putNull("out_of_order")
        .putNull("incomplete")
        .put("errors", failed)
        .put("error_samples", new io.vertx.core.json.JsonArray(errors.subList(0, Math.min(5, errors.size()))))
        .put("gc_before_measuring", gcBefore && gcAfter)
        .put("server_rss_before_mb", before < 0 ? null : Resources.mb(before))
        .put("server_rss_after_mb", after < 0 ? null : Resources.mb(after))
        .put("server_rss_after_no_gc_mb", afterNoGc < 0 ? null : Resources.mb(afterNoGc));
    Double perConnKb = null;
    Double perConnNoGcKb = null;
    if (before >= 0 && after >= 0 && openedMeasured > 0) {
      perConnKb = Math.round((after - before) / 1024.0 / openedMeasured * 100) / 100.0;
      perConnNoGcKb = Math.round((afterNoGc - before) / 1024.0 / openedMeasured * 100) / 100.0;
    }
    json.put("rss_per_connection_kb", perConnKb).put("rss_per_connection_no_gc_kb", perConnNoGcKb);
    if (!heapBefore.isEmpty() && !heapAfter.isEmpty() && openedMeasured > 0) {
      // The live heap (after the full GC jcmd runs) by class: what the hub keeps per connection.
      json.put("heap_live_before_mb", Resources.mb(heapBefore.totalBytes()))
          .put("heap_live_after_mb", Resources.mb(heapAfter.totalBytes()))
          .put("heap_per_connection_kb", Math.round((heapAfter.totalBytes() - heapBefore.totalBytes()) / 1024.0 / openedMeasured * 100) / 100.0)
          .put("heap_growth_by_class", heapAfter.growthSince(heapBefore, 25, openedMeasured))
          .put("heap_growth_hub_classes", heapAfter.growthSince(heapBefore, 10, openedMeasured, "dev.streamhub."));
    }
    Resources.put(json, sampler, start, end);
    json.put("target_check", new JsonObject()
        .put("goal", "under 10 KB hub RSS per idle connection")
        .put("measured", perConnKb == null ? "unknown (hub pid not known)"
            : perConnKb + " KB per connection (" + openedMeasured + " of " + clients + " connections open)")
        .put("met", perConnKb != null && perConnKb < 10 && openedMeasured == clients));
    return json;
  }

  /** Opens {@code count} more readers spread over the shards and waits until each got its response. */
  private void openReaders(List<ReaderSet> sets, String stream, int count) {
    List<Future<Void>> opened = new ArrayList<>();
    for (ReaderSet set : sets) {
      int share = ClientFleet.share(count, set.shard.index(), sets.size());
      int concurrency = Math.max(1, ClientFleet.share(openConcurrency, set.shard.index(), sets.size()));
      opened.add(set.shard.call(() -> Bounded.run(share, concurrency, i -> set.open(stream, 0).opened.future())));
    }
    for (Future<Void> f : opened) {
      f.await();
    }
  }

  /** The mean of three RSS readings 200 ms apart, in bytes; -1 when unknown. */
  private static long rssNow(ScenarioRun run) throws InterruptedException {
    long pid = run.hub().pid();
    if (pid < 0) {
      return -1;
    }
    long sum = 0;
    for (int i = 0; i < 3; i++) {
      sum += ProcStats.rssBytes(pid).orElse(-1);
      Thread.sleep(200);
    }
    return sum / 3;
  }
}
