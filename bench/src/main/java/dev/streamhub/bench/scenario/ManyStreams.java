package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.load.Bounded;
import dev.streamhub.bench.load.ClientFleet;
import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.Shard;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S concurrent streams, one reader each, T tokens per stream at R tokens/s: the LLM-like load.
 * Streams are created with bounded concurrency ({@code POST /v1/streams}) and each is read from
 * offset 0 as soon as it exists. {@code max-throughput} is the same load with few streams at a
 * very high rate.
 */
public final class ManyStreams implements Scenario {

  private final String name;
  private final int defaultStreams;
  private final int defaultTokens;
  private final int defaultRate;
  private final long defaultTtftMs;
  private int streams;
  private int tokens;
  private int rate;
  private long ttftMs;
  private int createConcurrency;
  private long timeoutS;
  private int rounds;
  /** {@code demo}: the hub's demo worker generates; {@code http}: relay mode, the benchmark publishes by POST. */
  private String publisher;
  private int publishConnections;
  private final Map<String, String> settings = new LinkedHashMap<>();

  private ManyStreams(String name, int streams, int tokens, int rate, long ttftMs) {
    this.name = name;
    this.defaultStreams = streams;
    this.defaultTokens = tokens;
    this.defaultRate = rate;
    this.defaultTtftMs = ttftMs;
  }

  /** Issue 3's scenario: 1,000 streams of 200 tokens at 50 tokens/s. */
  static ManyStreams manyStreams() {
    return new ManyStreams("many-streams", 1000, 200, 50, -1);
  }

  /** 100 streams of 20,000 tokens at 5,000 tokens/s: 500,000 tokens/s offered. */
  static ManyStreams maxThroughput() {
    return new ManyStreams("max-throughput", 100, 20_000, 5000, 1000);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void configure(BenchOptions o) {
    streams = o.integer("streams", defaultStreams, 1, 100_000);
    publisher = o.string("publisher", "demo");
    if (!publisher.equals("demo") && !publisher.equals("http")) {
      throw new IllegalArgumentException("--publisher must be demo or http, got '" + publisher + "'");
    }
    publishConnections = publisher.equals("http") ? o.integer("publish-connections", 256, 1, 100_000) : 0;
    tokens = o.integer("tokens", defaultTokens, 1, 1_000_000);
    rate = o.integer("rate", defaultRate, 1, 1_000_000);
    ttftMs = o.longValue("ttft-ms", defaultTtftMs, -1, 600_000);
    createConcurrency = o.integer("create-concurrency", 64, 1, 10_000);
    long generationS = (ttftMs < 0 ? 150 : ttftMs) / 1000 + tokens / rate + 1;
    rounds = o.integer("rounds", 2, 1, 100);
    timeoutS = o.longValue("timeout-s", 60 + 2 * generationS, 1, 86_400);
    settings.put("DEMO_TOKENS_PER_SECOND", Integer.toString(rate));
    settings.put("DEMO_ANSWER_TOKENS", Integer.toString(tokens));
    settings.put("DEMO_MAX_TOKENS", Integer.toString(Math.max(tokens, 512)));
    if (ttftMs >= 0) {
      settings.put("DEMO_TTFT_MS", Long.toString(ttftMs));
    }
  }

  @Override
  public Map<String, String> hubSettings() {
    return settings;
  }

  @Override
  public int connections() {
    return streams + createConcurrency + publishConnections;
  }

  @Override
  public String variant() {
    return publisher.equals("http") ? "relay" : null;
  }

  /** Runs the load {@code --rounds} times against the same hub (default 2) and reports the last ({@link Rounds#lastOf}). */
  @Override
  public JsonObject run(ScenarioRun run) {
    return Rounds.lastOf(rounds, () -> round(run));
  }

  private JsonObject round(ScenarioRun run) {
    ResourceSampler sampler = run.sampler();
    List<Shard> shards = run.fleet().shards();
    long origin = Clock.micros();
    Sample start = sampler.mark();
    List<Future<ReaderSet>> results = new ArrayList<>();
    List<RelayPublisher> publishers = new ArrayList<>();
    for (Shard shard : shards) {
      int share = ClientFleet.share(streams, shard.index(), shards.size());
      int concurrency = Math.max(1, ClientFleet.share(createConcurrency, shard.index(), shards.size()));
      if (publisher.equals("http")) {
        int connections = Math.max(1, ClientFleet.share(publishConnections, shard.index(), shards.size()));
        RelayPublisher p = shard.call(() -> io.vertx.core.Future.succeededFuture(new RelayPublisher(shard, tokens, rate, connections))).await();
        publishers.add(p);
        results.add(shard.call(() -> relay(shard, p, run.transport(), origin, share, concurrency)));
      } else {
        results.add(shard.call(() -> load(shard, run.transport(), origin, share, concurrency)));
      }
    }
    List<ReaderSet> sets = new ArrayList<>();
    for (Future<ReaderSet> f : results) {
      sets.add(f.await());
    }
    Sample end = sampler.mark();
    ReaderStats stats = new ReaderStats(sets, origin);
    long expected = (long) streams * tokens;
    JsonObject json = stats.toJson(expected)
        .put("clients", streams)
        .put("streams", streams)
        .put("tokens_per_stream", tokens)
        .put("rate_per_stream", rate)
        .put("offered_per_s", (long) streams * rate)
        .put("duration_s", Math.round((end.atMillis() - start.atMillis()) / 10.0) / 100.0);
    Resources.put(json, sampler, start, end);
    if (!publishers.isEmpty()) {
      putPublishing(json, publishers);
    }
    boolean complete = stats.complete(expected) && json.getLong("publish_errors", 0L) == 0;
    if (name.equals("max-throughput")) {
      long delivered = json.getLong("delivered_per_s");
      json.put("target_check", new JsonObject()
          .put("goal", "at least 500,000 delivered tokens/s on one node")
          .put("measured", delivered + " tokens/s" + (complete ? "" : " (NOT every token delivered)"))
          .put("met", delivered >= 500_000 && complete));
    } else {
      Double p99 = json.getDouble("p99_ms");
      json.put("target_check", new JsonObject()
          .put("goal", "every token delivered, p99 publish-to-receive under 10 ms"
              + (publishers.isEmpty() ? "" : " (relay: end to end, from the benchmark's POST to receive)"))
          .put("measured", (complete ? "every token delivered" : "NOT every token delivered") + ", p99 " + p99 + " ms")
          .put("met", complete && p99 != null && p99 < 10));
    }
    return json;
  }

  /** Relay mode: creates external streams, opens a reader on each, and publishes once it is open. */
  private Future<ReaderSet> relay(Shard shard, RelayPublisher publisher, String transport, long origin, int count, int concurrency) {
    ReaderSet set = new ReaderSet(shard, transport, origin);
    set.sentTimes = true;
    set.deadline(timeoutS * 1000);
    return Bounded.run(count, concurrency, i -> {
      long t0 = Clock.micros();
      return shard.createExternalStream()
          .onSuccess(stream -> {
            set.createTimes.recordValue(Clock.micros() - t0);
            set.open(stream, 0).opened.future().onSuccess(v -> publisher.add(stream));
          })
          .onFailure(err -> set.error("create: " + err.getMessage()));
    }).compose(created -> set.allDone()).onComplete(ar -> publisher.stop());
  }

  static void putPublishing(JsonObject json, List<RelayPublisher> publishers) {
    org.HdrHistogram.Histogram lag = new org.HdrHistogram.Histogram(3);
    org.HdrHistogram.Histogram posts = new org.HdrHistogram.Histogram(3);
    long published = 0;
    long errors = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    io.vertx.core.json.JsonArray samples = new io.vertx.core.json.JsonArray();
    for (RelayPublisher p : publishers) {
      lag.add(p.lag);
      posts.add(p.posts);
      published += p.published;
      errors += p.errorCount;
      first = Math.min(first, p.firstSentAt);
      last = Math.max(last, p.lastSentAt);
      p.errors.forEach(samples::add);
    }
    json.put("publisher", "http")
        .put("published_tokens", published)
        .put("published_per_s", last > first ? Math.round(published / ((last - first) / 1e6)) : null)
        .put("publish_errors", errors)
        .put("publish_error_samples", samples);
    dev.streamhub.bench.measure.LatencySummary.of(posts).into(json, "publish_post_");
    dev.streamhub.bench.measure.LatencySummary.of(lag).into(json, "publish_behind_schedule_");
  }

  private Future<ReaderSet> load(Shard shard, String transport, long origin, int count, int concurrency) {
    ReaderSet set = new ReaderSet(shard, transport, origin);
    set.deadline(timeoutS * 1000);
    return Bounded.run(count, concurrency, i -> {
      long t0 = Clock.micros();
      return shard.createStream("benchmark stream " + shard.index() + "-" + i, tokens)
            .onSuccess(stream -> {
              set.createTimes.recordValue(Clock.micros() - t0);
              set.open(stream, 0);
            })
            .onFailure(err -> set.error("create: " + err.getMessage()));
    }).compose(created -> set.allDone());
  }
}
