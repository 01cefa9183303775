package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.hub.NodeProcess;
import dev.streamhub.bench.load.SseParser;
import dev.streamhub.bench.measure.LatencySummary;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Issue 6's time-to-first-token overhead: a zero-delay fake OpenAI-compatible upstream in this JVM
 * ({@link FakeUpstream}), a hub child started with {@code STREAMHUB_UPSTREAM_BASE_URL} pointing at
 * it, and the same streaming {@code POST /v1/chat/completions} sent (a) to the fake directly and (b)
 * to the hub, alternately and one at a time over kept-alive connections. TTFT is from sending the
 * request to the arrival of the first chunk with non-empty {@code delta.content}; each request is
 * read to its end before the next starts. Reports p50/p99 of both and the overhead b - a.
 */
public final class TtftOverheadScenario implements SelfHostedScenario {

  /** The event loop every request runs on, so that its handlers are set before its bytes arrive. */
  private static final java.util.concurrent.atomic.AtomicReference<io.vertx.core.Context> CONTEXT = new java.util.concurrent.atomic.AtomicReference<>();

  private int warmup;
  private int runs;
  private int tokens;

  @Override
  public String name() {
    return "ttft-overhead";
  }

  @Override
  public void configure(BenchOptions o) {
    warmup = o.integer("warmup", 500, 0, 1_000_000);
    runs = o.integer("runs", 2000, 1, 1_000_000);
    tokens = o.integer("tokens", 20, 1, 100_000);
  }

  @Override
  public int connections() {
    return 8;
  }

  @Override
  public JsonObject run(Launch launch) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    FakeUpstream fake = null;
    NodeProcess hub = null;
    try {
      fake = FakeUpstream.start(vertx, tokens);
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("UPSTREAM_BASE_URL", fake.baseUrl());
      settings.put("UPSTREAM_API_KEY", "bench-key-not-secret");
      settings.put("DEMO_ENABLED", "false");
      settings = launch.settings(settings);
      int port = NodeProcess.freePortBelowEphemeral();
      hub = NodeProcess.start(launch.hubJar(), launch.jvmOptions(), settings, port, launch.logDir().resolve("hub-ttft-overhead.log"));
      System.out.println("   fake upstream on " + fake.baseUrl() + "; hub pid " + hub.pid() + " on " + hub.target().url()
          + " (log " + hub.log() + ")");
      CONTEXT.set(vertx.getOrCreateContext());
      HttpClient direct = client(vertx, fake.port());
      HttpClient viaHub = client(vertx, port);
      awaitModel(viaHub);
      try (ResourceSampler sampler = new ResourceSampler(hub.pid(), 250)) {
        Double other = null;
        if (launch.waitIdleS() > 0) {
          other = sampler.awaitQuiet(launch.idleBelowPct(), launch.waitIdleS() * 1000);
          System.out.println("   other processes' CPU before the run: " + other + " % of one core");
        }
        JsonObject request = new JsonObject()
            .put("model", FakeUpstream.MODEL)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "how fast is the first token?")))
            .put("stream", true);
        Histogram warmDirect = new Histogram(3);
        Histogram warmHub = new Histogram(3);
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
          warmDirect.recordValue(once(direct, request, null));
          warmHub.recordValue(once(viaHub, request, null));
        }
        double warmS = (System.nanoTime() - warmStart) / 1e9;
        System.out.println("   warm-up: " + warmup + " pairs in " + Math.round(warmS * 10) / 10.0 + " s; TTFT p50 direct "
            + LatencySummary.of(warmDirect).p50Ms() + " ms, via hub " + LatencySummary.of(warmHub).p50Ms() + " ms");
        Histogram a = new Histogram(3);
        Histogram b = new Histogram(3);
        Histogram paired = new Histogram(3);
        Histogram totalA = new Histogram(3);
        Histogram totalB = new Histogram(3);
        long negativePairs = 0;
        long fakeBefore = fake.requests();
        Sample start = sampler.mark();
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          long[] ta = new long[1];
          long[] tb = new long[1];
          long da = once(direct, request, ta);
          long db = once(viaHub, request, tb);
          a.recordValue(da);
          b.recordValue(db);
          totalA.recordValue(ta[0]);
          totalB.recordValue(tb[0]);
          if (db >= da) {
            paired.recordValue(db - da);
          } else {
            negativePairs++;
            paired.recordValue(0);
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Sample end = sampler.mark();
        long fakeServed = fake.requests() - fakeBefore;
        LatencySummary sa = LatencySummary.of(a);
        LatencySummary sb = LatencySummary.of(b);
        double overheadP50 = round3(sb.p50Ms() - sa.p50Ms());
        double overheadP99 = round3(sb.p99Ms() - sa.p99Ms());
        JsonObject json = new JsonObject()
            .put("clients", 1)
            .put("streams", runs)
            .put("delivered_per_s", null)
            .put("requests_per_s", Math.round(2 * runs / seconds))
            .put("p50_ms", sb.p50Ms())
            .put("p99_ms", sb.p99Ms())
            .put("p999_ms", sb.p999Ms())
            .put("max_ms", sb.maxMs())
            .put("latency_is", "time to first token through the hub (request sent to first content chunk received)")
            .put("lost", 0)
            .put("duplicates", 0)
            .put("direct_p50_ms", sa.p50Ms())
            .put("direct_p99_ms", sa.p99Ms())
            .put("direct_p999_ms", sa.p999Ms())
            .put("direct_max_ms", sa.maxMs())
            .put("direct_mean_ms", sa.meanMs())
            .put("hub_p50_ms", sb.p50Ms())
            .put("hub_p99_ms", sb.p99Ms())
            .put("hub_mean_ms", sb.meanMs())
            .put("overhead_p50_ms", overheadP50)
            .put("overhead_p99_ms", overheadP99)
            .put("overhead_mean_ms", round3(sb.meanMs() - sa.meanMs()))
            .put("overhead_paired_p50_ms", LatencySummary.of(paired).p50Ms())
            .put("overhead_paired_p99_ms", LatencySummary.of(paired).p99Ms())
            .put("overhead_paired_negative", negativePairs)
            .put("full_response_direct_p50_ms", LatencySummary.of(totalA).p50Ms())
            .put("full_response_hub_p50_ms", LatencySummary.of(totalB).p50Ms())
            .put("full_response_hub_p99_ms", LatencySummary.of(totalB).p99Ms())
            .put("runs", runs)
            .put("warmup", warmup)
            .put("upstream_tokens", tokens)
            .put("upstream_requests_during_runs", fakeServed)
            .put("duration_s", round3(seconds))
            .put("other_cpu_pct_before_start", other);
        Resources.put(json, sampler, start, end);
        json.put("target_check", new JsonObject()
            .put("goal", "time-to-first-token overhead of the hub in front of a zero-delay upstream under 2 ms at p50")
            .put("measured", "overhead p50 " + overheadP50 + " ms (direct " + sa.p50Ms() + " ms, via hub " + sb.p50Ms()
                + " ms), p99 " + overheadP99 + " ms")
            .put("met", overheadP50 < 2.0 && fakeServed == 2L * runs));
        json.put("hub", hub.describe().put("fake_upstream", fake.baseUrl()));
        return json;
      }
    } finally {
      if (hub != null) {
        hub.close();
      }
      if (fake != null) {
        fake.close();
      }
      vertx.close().await();
    }
  }

  private static HttpClient client(Vertx vertx, int port) {
    return vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1")
        .setDefaultPort(port)
        .setTcpNoDelay(true)
        .setKeepAlive(true)
        .setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(2));
  }

  /** Waits (at most 30 s) until the hub lists the fake's model: it lists the upstream's models at start. */
  private static void awaitModel(HttpClient hub) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        JsonObject models = hub.request(HttpMethod.GET, "/v1/models").compose(r -> r.send()).compose(r -> r.body()).await().toJsonObject();
        last = models.encode();
        if (last.contains("\"" + FakeUpstream.MODEL + "\"")) {
          return;
        }
      } catch (RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the hub does not list model " + FakeUpstream.MODEL + " after 30 s: " + last);
  }

  /**
   * One streaming chat completion; returns microseconds to the first content chunk and puts the
   * microseconds to the end of the response (after {@code [DONE]}) in {@code total[0]}.
   */
  private static long once(HttpClient client, JsonObject body, long[] total) {
    Promise<Long> first = Promise.promise();
    Promise<Long> done = Promise.promise();
    long t0 = System.nanoTime();
    boolean[] sawDone = {false};
    SseParser parser = new SseParser((id, type, data) -> {
      if (data.equals("[DONE]")) {
        sawDone[0] = true;
        return;
      }
      if (!first.future().isComplete()) {
        JsonObject chunk = new JsonObject(data);
        if (chunk.containsKey("error")) {
          first.tryFail("error chunk: " + data);
          return;
        }
        JsonArray choices = chunk.getJsonArray("choices");
        if (choices != null && !choices.isEmpty()) {
          JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
          String content = delta == null ? null : delta.getString("content");
          if (content != null && !content.isEmpty()) {
            first.tryComplete((System.nanoTime() - t0) / 1000);
          }
        }
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI("/v1/chat/completions")
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "text/event-stream")
        .putHeader("Authorization", "Bearer bench-key-not-secret");
    CONTEXT.get().runOnContext(v0 -> client.request(options)
        .compose(req -> req.send(body.toBuffer()))
        .onFailure(first::tryFail)
        .onFailure(done::tryFail)
        .onSuccess(resp -> {
          if (resp.statusCode() != 200) {
            resp.body().onComplete(b -> {
              String msg = "HTTP " + resp.statusCode() + (b.succeeded() ? ": " + b.result() : "");
              first.tryFail(msg);
              done.tryFail(msg);
            });
            return;
          }
          resp.handler(buf -> parser.feed(buf.getBytes()));
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(v -> {
            if (!sawDone[0]) {
              done.tryFail("response ended without data: [DONE]");
            } else {
              done.tryComplete((System.nanoTime() - t0) / 1000);
            }
            first.tryFail("response ended without a content chunk");
          });
        }));
    long ttft = first.future().await();
    long end = done.future().await();
    if (total != null) {
      total[0] = end;
    }
    return ttft;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
