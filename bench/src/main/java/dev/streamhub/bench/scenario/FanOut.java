package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.load.Bounded;
import dev.streamhub.bench.load.ClientFleet;
import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.Shard;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream, C readers (a shared answer on a big screen): T tokens at R tokens/s, each delivered
 * to every reader. The hub's time-to-first-token is long enough (default 3 s) for every reader to
 * subscribe before the first token, so tokens are delivered live, not replayed. Relay mode
 * ({@code --publisher http}): the benchmark creates an external stream, opens every reader, then
 * publishes the T tokens itself by POST at R/s (end-to-end latency), as many-streams' relay
 * variant does; this is the mode a peer ({@code --peer nchan}) runs too.
 */
public final class FanOut implements Scenario {

  private int clients;
  private int tokens;
  private int rate;
  private long ttftMs;
  private int openConcurrency;
  private long timeoutS;
  private int rounds;
  /** {@code demo}: the hub's demo worker generates; {@code http}: relay mode, the benchmark publishes by POST. */
  private String publisher;
  private final Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public String name() {
    return "fan-out";
  }

  @Override
  public void configure(BenchOptions o) {
    clients = o.integer("clients", 1000, 1, 100_000);
    tokens = o.integer("tokens", 200, 1, 1_000_000);
    rate = o.integer("rate", 50, 1, 1_000_000);
    ttftMs = o.longValue("ttft-ms", 3000, 0, 600_000);
    openConcurrency = o.integer("open-concurrency", 200, 1, 10_000);
    rounds = o.integer("rounds", 2, 1, 100);
    publisher = o.string("publisher", "demo");
    if (!publisher.equals("demo") && !publisher.equals("http")) {
      throw new IllegalArgumentException("--publisher must be demo or http, got '" + publisher + "'");
    }
    timeoutS = o.longValue("timeout-s", 60 + 2 * (ttftMs / 1000 + tokens / rate + 1), 1, 86_400);
    settings.put("DEMO_TOKENS_PER_SECOND", Integer.toString(rate));
    settings.put("DEMO_ANSWER_TOKENS", Integer.toString(tokens));
    settings.put("DEMO_MAX_TOKENS", Integer.toString(Math.max(tokens, 512)));
    settings.put("DEMO_TTFT_MS", Long.toString(ttftMs));
  }

  @Override
  public Map<String, String> hubSettings() {
    return settings;
  }

  @Override
  public int connections() {
    return clients + 16;
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
    Shard first = shards.get(0);
    boolean relay = publisher.equals("http");
    String stream = first.call(() -> relay ? first.createExternalStream() : first.createStream("benchmark fan-out", tokens)).await();
    List<Future<ReaderSet>> results = new ArrayList<>();
    List<Future<Void>> allOpen = new ArrayList<>();
    for (Shard shard : shards) {
      int share = ClientFleet.share(clients, shard.index(), shards.size());
      int concurrency = Math.max(1, ClientFleet.share(openConcurrency, shard.index(), shards.size()));
      Promise<Void> opened = Promise.promise();
      allOpen.add(opened.future());
      results.add(shard.call(() -> {
        ReaderSet set = new ReaderSet(shard, run.transport(), origin);
        set.sentTimes = relay;
        set.deadline(timeoutS * 1000);
        return Bounded.run(share, concurrency, i -> set.open(stream, 0).opened.future())
            .onComplete(v -> opened.tryComplete())
            .compose(v -> set.allDone());
      }));
    }
    RelayPublisher relayPublisher = null;
    if (relay) {
      // Every reader is open (or failed) before the first token: tokens are delivered live.
      Future.join(allOpen).await();
      RelayPublisher p = first.call(() -> Future.succeededFuture(new RelayPublisher(first, tokens, rate, 1))).await();
      first.call(() -> {
        p.add(stream);
        return Future.succeededFuture();
      }).await();
      relayPublisher = p;
    }
    List<ReaderSet> sets = new ArrayList<>();
    for (Future<ReaderSet> f : results) {
      sets.add(f.await());
    }
    if (relayPublisher != null) {
      RelayPublisher p = relayPublisher;
      first.call(() -> {
        p.stop();
        return Future.succeededFuture();
      }).await();
    }
    Sample end = sampler.mark();
    ReaderStats stats = new ReaderStats(sets, origin);
    long expected = (long) clients * tokens;
    JsonObject json = stats.toJson(expected)
        .put("clients", clients)
        .put("streams", 1)
        .put("tokens_per_stream", tokens)
        .put("rate_per_stream", rate)
        .put("offered_per_s", (long) clients * rate)
        .put("duration_s", Math.round((end.atMillis() - start.atMillis()) / 10.0) / 100.0);
    Resources.put(json, sampler, start, end);
    if (relayPublisher != null) {
      ManyStreams.putPublishing(json, List.of(relayPublisher));
    }
    boolean complete = stats.complete(expected) && json.getLong("publish_errors", 0L) == 0;
    Double p99 = json.getDouble("p99_ms");
    json.put("target_check", new JsonObject()
        .put("goal", "every token delivered to every reader (no numeric target of its own in issue 7; relay mode is compared with Nchan by --peer nchan)")
        .put("measured", (complete ? "every token delivered" : "NOT every token delivered") + ", p99 " + p99 + " ms")
        .put("met", complete));
    return json;
  }
}
