package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import dev.streamhub.bench.hub.NodeProcess;
import dev.streamhub.bench.load.Bounded;
import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.EventFields;
import dev.streamhub.bench.load.SseParser;
import dev.streamhub.bench.measure.LatencySummary;
import dev.streamhub.bench.measure.ProcStats;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * Issue 7's rolling drain: a cluster of E {@code edge} nodes and one {@code worker} node (the model
 * tier is not restarted; a generation longer than {@code drain_timeout_ms} could not finish on a
 * draining worker), S streams of T tokens at R tokens/s, one SSE reader each, spread over the edges.
 * While the streams run, each edge in turn gets SIGTERM, drains, exits, and is started again on
 * the same port; the next edge follows once the restarted one is back in the cluster.
 *
 * <p>Readers behave like EventSource behind a load balancer: on the hub's {@code reconnect} event,
 * or any end of the response before the terminal event, they reconnect with {@code Last-Event-ID}
 * to the next edge (trying the one after it when a node refuses). Reported: every offset exactly
 * once and in order, publish-to-receive latency, the longest pause any reader saw between two
 * consecutive tokens (the headline: "longest client pause"), and per reconnect the time from the
 * notice to the new node's 200 and to the next token.
 */
public final class RollingDrain implements SelfHostedScenario {

  private int edges;
  private int streams;
  private int tokens;
  private int rate;
  private long drainTimeoutMs;
  private long settleMs;
  private long timeoutS;
  private boolean liteEdges;

  @Override
  public String name() {
    return "rolling-drain";
  }

  @Override
  public void configure(BenchOptions o) {
    edges = o.integer("edges", 3, 2, 8);
    streams = o.integer("streams", 150, 1, 10_000);
    tokens = o.integer("tokens", 600, 10, 1_000_000);
    rate = o.integer("rate", 10, 1, 10_000);
    drainTimeoutMs = o.longValue("drain-timeout-ms", 30_000, 0, 600_000);
    settleMs = o.longValue("settle-ms", 2000, 0, 600_000);
    timeoutS = o.longValue("timeout-s", 600, 1, 86_400);
    String lite = o.string("lite-edges", "true");
    if (!lite.equals("true") && !lite.equals("false")) {
      throw new IllegalArgumentException("--lite-edges takes true or false, got '" + lite + "'");
    }
    liteEdges = lite.equals("true");
  }

  @Override
  public int connections() {
    return streams + 64;
  }

  /** Edges as lite members (the default) or as data members: separate records. */
  @Override
  public String variant() {
    return liteEdges ? "lite edges" : "data edges";
  }

  @Override
  public JsonObject run(Launch launch) throws Exception {
    if (!launch.transport().equals("sse")) {
      throw new IllegalArgumentException("rolling-drain reads over SSE (EventSource's reconnect); --transport "
          + launch.transport() + " is not supported");
    }
    Path config = launch.root().resolve("cluster-config/hazelcast-loopback.xml");
    String clusterName = "bench-drain-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> common = new LinkedHashMap<>();
    common.put("CLUSTER_CONFIG", config.toString());
    common.put("CLUSTER_NAME", clusterName);
    common.put("DEMO_TOKENS_PER_SECOND", Integer.toString(rate));
    common.put("DEMO_ANSWER_TOKENS", Integer.toString(tokens));
    common.put("DEMO_MAX_TOKENS", Integer.toString(tokens));
    common.put("DEMO_TTFT_MS", "0");
    common.put("DRAIN_TIMEOUT_MS", Long.toString(drainTimeoutMs));
    Map<String, String> workerSettings = new LinkedHashMap<>(common);
    workerSettings.put("ROLES", "worker");
    Map<String, String> edgeSettings = new LinkedHashMap<>(common);
    edgeSettings.put("ROLES", "edge");
    edgeSettings.put("CLUSTER_LITE_MEMBER", Boolean.toString(liteEdges));

    List<NodeProcess> nodes = new ArrayList<>();
    NodeProcess worker = NodeProcess.start(launch.hubJar(), launch.jvmOptions(), launch.settings(workerSettings), -1,
        launch.logDir().resolve("hub-rolling-drain-worker.log"));
    int[] ports = new int[edges];
    NodeProcess[] edge = new NodeProcess[edges];
    Vertx vertx = Vertx.vertx();
    try {
      for (int i = 0; i < edges; i++) {
        ports[i] = NodeProcess.freePortBelowEphemeral();
        edge[i] = NodeProcess.start(launch.hubJar(), launch.jvmOptions(), launch.settings(edgeSettings), ports[i],
            launch.logDir().resolve("hub-rolling-drain-edge" + (i + 1) + ".log"));
      }
      System.out.println("   worker node pid " + worker.pid() + "; edges on ports " + java.util.Arrays.toString(ports)
          + "; cluster " + clusterName);
      Context context = vertx.getOrCreateContext();
      HttpClient http = onContext(context, () -> Future.succeededFuture(vertx.createHttpClient(
          new HttpClientOptions().setDefaultHost("127.0.0.1").setConnectTimeout(2000),
          new PoolOptions().setHttp1MaxSize(connections())))).await();
      for (int i = 0; i < edges; i++) {
        awaitMembers(context, http, ports[i], edges + 1);
      }
      awaitDemoModel(context, http, ports[0]);

      Fleet fleet = new Fleet(vertx, http, ports);
      try (ResourceSampler sampler = new ResourceSampler(-1, 500)) {
        Sample start = sampler.mark();
        long begin = System.nanoTime();
        onContext(context, () -> fleet.start(streams, tokens)).await();
        System.out.println("   " + streams + " streams created and read over " + edges + " edges ("
            + tokens + " tokens at " + rate + "/s each: " + tokens / rate + " s)");
        fleet.awaitTokens(context, Math.min(20, tokens / 4));

        JsonArray drains = new JsonArray();
        for (int i = 0; i < edges; i++) {
          long sigterm = System.nanoTime();
          long drainMs = edge[i].stopGracefully(drainTimeoutMs + 30_000);
          long restartAt = System.nanoTime();
          edge[i] = NodeProcess.start(launch.hubJar(), launch.jvmOptions(), launch.settings(edgeSettings), ports[i],
              launch.logDir().resolve("hub-rolling-drain-edge" + (i + 1) + "-restarted.log"));
          awaitMembers(context, http, ports[i], edges + 1);
          long backMs = (System.nanoTime() - restartAt) / 1_000_000;
          JsonObject d = new JsonObject()
              .put("edge", i + 1)
              .put("at_s", Math.round((sigterm - begin) / 1e7) / 100.0)
              .put("sigterm_to_exit_ms", drainMs)
              .put("restart_to_member_ms", backMs);
          drains.add(d);
          System.out.println("   edge " + (i + 1) + ": SIGTERM to exit " + drainMs + " ms, restarted and back in the cluster in "
              + backMs + " ms");
          Thread.sleep(settleMs);
        }
        boolean finished = fleet.awaitDone(context, timeoutS * 1000);
        Sample end = sampler.mark();
        double durationS = (System.nanoTime() - begin) / 1e9;
        JsonObject json = onContext(context, () -> Future.succeededFuture(fleet.results(durationS, finished))).await();
        long rss = 0;
        for (NodeProcess n : edge) {
          rss = Math.max(rss, ProcStats.rssBytes(n.pid()).orElse(0));
        }
        json.put("edges", edges)
            .put("lite_edges", liteEdges)
            .put("lite_edges_is", liteEdges
                ? "edges are Hazelcast lite members: the log lives on the worker node only (one copy), and restarting an edge moves no partition"
                : "edges are Hazelcast data members: each drain and each restart migrates partitions of the log")
            .put("drains", drains)
            .put("tokens_per_stream", tokens)
            .put("rate_per_stream", rate)
            .put("token_interval_ms", 1000.0 / rate)
            .put("drain_timeout_ms", drainTimeoutMs)
            .put("server_rss_mb", Resources.mb(rss))
            .put("server_rss_is", "the largest edge RSS at the end (restarted JVMs); the worker node: "
                + Resources.mb(ProcStats.rssBytes(worker.pid()).orElse(0)) + " MB")
            .put("server_cpu_pct", null)
            .put("client_cpu_pct", ResourceSampler.selfCpuPercent(start, end))
            .put("machine_cpu_pct", ResourceSampler.machineCpuPercent(start, end))
            .put("hub", new JsonObject().put("worker", worker.describe()).put("edge1", edge[0].describe()));
        boolean exact = finished && json.getInteger("create_failures") == 0 && json.getLong("lost") == 0 && json.getLong("duplicates") == 0
            && json.getLong("out_of_order") == 0 && json.getLong("incomplete") == 0;
        json.put("target_check", new JsonObject()
            .put("goal", "rolling drain of every edge while streams run: every token delivered exactly once, in order; "
                + "report the longest client pause")
            .put("measured", (exact ? "every token delivered exactly once" : "NOT every token delivered exactly once")
                + "; longest pause between two tokens " + json.getValue("longest_pause_ms") + " ms (tokens every "
                + Math.round(1000.0 / rate) + " ms), reconnect p99 " + json.getValue("reconnect_p99_ms") + " ms")
            .put("met", exact));
        return json;
      }
    } finally {
      for (NodeProcess n : edge) {
        if (n != null) {
          n.close();
        }
      }
      worker.close();
      vertx.close().await();
    }
  }

  private static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> task.get().onComplete(promise));
    return promise.future();
  }

  private static Future<JsonObject> getJson(HttpClient http, int port, String path) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setURI(path))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode() == 200 ? new JsonObject(body) : null));
  }

  /** Waits until the edge on {@code port} lists {@code count} members with their node cards. */
  private static void awaitMembers(Context context, HttpClient http, int port, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        JsonObject view = onContext(context, () -> getJson(http, port, "/v1/cluster")).await();
        if (view != null && view.getJsonArray("members", new JsonArray()).size() >= count) {
          return;
        }
        last = String.valueOf(view);
      } catch (RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the edge on port " + port + " does not see " + count + " members after 60 s: " + last);
  }

  private static void awaitDemoModel(Context context, HttpClient http, int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        JsonObject models = onContext(context, () -> getJson(http, port, "/v1/models")).await();
        if (models != null && models.encode().contains("\"demo\"")) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no edge lists model demo after 30 s");
  }

  /** Every reader, all on one context (the state needs no locks). */
  private static final class Fleet {
    private final Vertx vertx;
    private final HttpClient http;
    private final int[] ports;
    private final List<Reader> readers = new ArrayList<>();
    private final Histogram latency = new Histogram(3);
    private final Histogram reconnect = new Histogram(3);
    private final Histogram pause = new Histogram(3);
    private final List<String> errors = new ArrayList<>();
    private long tokensReceived;
    private long longestPauseNs;
    private long notices;
    private long unannounced;
    private long refusals;
    private int createFailures;

    Fleet(Vertx vertx, HttpClient http, int[] ports) {
      this.vertx = vertx;
      this.http = http;
      this.ports = ports;
    }

    Future<Void> start(int streams, int tokens) {
      return Bounded.run(streams, 32, i -> create(ports[i % ports.length], tokens, i).onSuccess(stream -> {
        Reader reader = new Reader(stream, i % ports.length);
        readers.add(reader);
        reader.open();
      }).onFailure(err -> {
        createFailures++;
        errors.add("create: " + err.getMessage());
      }));
    }

    private Future<String> create(int port, int tokens, int i) {
      JsonObject body = new JsonObject()
          .put("model", "demo")
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "rolling drain " + i)))
          .put("max_tokens", tokens);
      return http.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setURI("/v1/streams")
              .putHeader("Content-Type", "application/json"))
          .compose(request -> request.send(body.toBuffer()))
          .compose(response -> response.body().compose(bytes -> response.statusCode() == 201
              ? Future.succeededFuture(new JsonObject(bytes).getString("stream"))
              : Future.failedFuture("POST /v1/streams: HTTP " + response.statusCode() + ": " + bytes)));
    }

    void awaitTokens(Context context, int perReader) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        boolean all = onContext(context, () -> Future.succeededFuture(readers.stream().allMatch(r -> r.next >= perReader))).await();
        if (all) {
          return;
        }
        Thread.sleep(100);
      }
    }

    boolean awaitDone(Context context, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (System.currentTimeMillis() < deadline) {
        boolean all = onContext(context, () -> Future.succeededFuture(readers.stream().allMatch(r -> r.ended))).await();
        if (all) {
          return true;
        }
        Thread.sleep(200);
      }
      onContext(context, () -> {
        readers.forEach(r -> r.ended = true);
        return Future.succeededFuture();
      }).await();
      return false;
    }

    JsonObject results(double durationS, boolean finished) {
      long lost = 0;
      long duplicates = 0;
      long outOfOrder = 0;
      long incomplete = 0;
      long reconnects = 0;
      for (Reader r : readers) {
        lost += r.lost;
        duplicates += r.duplicates;
        outOfOrder += r.outOfOrder;
        reconnects += r.reconnects;
        if (!"done".equals(r.terminal)) {
          incomplete++;
        }
      }
      JsonObject json = new JsonObject()
          .put("clients", readers.size())
          .put("streams", readers.size())
          .put("delivered_tokens", tokensReceived)
          .put("delivered_per_s", Math.round(tokensReceived / durationS))
          .put("duration_s", Math.round(durationS * 100) / 100.0)
          .put("lost", lost)
          .put("duplicates", duplicates)
          .put("out_of_order", outOfOrder)
          .put("incomplete", incomplete)
          .put("create_failures", createFailures)
          .put("finished", finished)
          .put("reconnects", reconnects)
          .put("reconnect_notices", notices)
          .put("unannounced_drops", unannounced)
          .put("refused_attempts", refusals)
          .put("longest_pause_ms", Math.round(longestPauseNs / 1e4) / 100.0)
          .put("longest_pause_is", "the largest time between two consecutive events any reader received, over the whole run")
          .put("errors", errors.size())
          .put("error_samples", new JsonArray(errors.subList(0, Math.min(5, errors.size()))));
      LatencySummary.of(latency).into(json, "");
      json.put("latency_kind", "the hub's append time (ts) to receive time, every event");
      LatencySummary.of(reconnect).into(json, "reconnect_");
      json.put("reconnect_is", "from the reconnect notice (or the end of the response) to the 200 of the next node");
      LatencySummary.of(pause).into(json, "pause_");
      json.put("pause_is", "from the reconnect notice (or the end of the response) to the next token received");
      return json;
    }

    /** One SSE reader, moving to the next edge when told to (or cut off). */
    private final class Reader {
      private final String stream;
      private int node;
      private long next;
      private long lastEventAt = -1;
      private long cutAt = -1;
      private boolean waitingForFirstAfterCut;
      private boolean ended;
      private String terminal;
      private long lost;
      private long duplicates;
      private long outOfOrder;
      private int reconnects;
      private boolean noticed;

      Reader(String stream, int node) {
        this.stream = stream;
        this.node = node;
      }

      void open() {
        if (ended) {
          return;
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setPort(ports[node])
            .setURI("/v1/streams/" + stream + "/events");
        if (next > 0) {
          options.putHeader("Last-Event-ID", Long.toString(next - 1));
        }
        http.request(options).compose(request -> request.send()).onComplete(ar -> {
          if (ar.failed() || ar.result().statusCode() == 503) {
            refusals++;
            moveOn(20);
            return;
          }
          var response = ar.result();
          if (response.statusCode() != 200) {
            response.body().onComplete(body -> {
              errors.add(stream + ": HTTP " + response.statusCode() + " " + (body.succeeded() ? body.result() : ""));
              ended = true;
            });
            return;
          }
          if (cutAt >= 0) {
            reconnect.recordValue(Math.max(0, (System.nanoTime() - cutAt) / 1000));
          }
          SseParser parser = new SseParser(this::onEvent);
          noticed = false;
          boolean[] over = {false};
          Runnable end = () -> {
            if (!over[0]) {
              over[0] = true;
              onEnd();
            }
          };
          response.handler((Buffer chunk) -> parser.feed(chunk.getBytes()));
          response.endHandler(v -> end.run());
          response.exceptionHandler(err -> end.run());
        });
      }

      private void onEvent(String id, String type, String data) {
        long now = System.nanoTime();
        if ("reconnect".equals(type)) {
          notices++;
          noticed = true;
          cutAt = now;
          return;
        }
        if (id == null) {
          errors.add(stream + ": " + type + " " + data);
          return;
        }
        long offset = EventFields.offset(id);
        if (offset < next) {
          duplicates++;
          return;
        }
        if (offset > next) {
          lost += offset - next;
          outOfOrder++;
        }
        next = offset + 1;
        long ts = EventFields.ts(data);
        if (ts > 0) {
          latency.recordValue(Math.max(0, Clock.micros() - ts));
        }
        if (type.equals("delta")) {
          tokensReceived++;
        }
        if (lastEventAt >= 0) {
          longestPauseNs = Math.max(longestPauseNs, now - lastEventAt);
        }
        lastEventAt = now;
        if (waitingForFirstAfterCut) {
          waitingForFirstAfterCut = false;
          pause.recordValue(Math.max(0, (now - cutAt) / 1000));
        }
        if (type.equals("done") || type.equals("error") || type.equals("cancelled")) {
          terminal = type;
          ended = true;
        }
      }

      private void onEnd() {
        if (ended) {
          return;
        }
        if (!noticed) {
          unannounced++;
          cutAt = System.nanoTime();
        }
        noticed = true;
        waitingForFirstAfterCut = true;
        reconnects++;
        moveOn(0);
      }

      private void moveOn(long delayMs) {
        node = (node + 1) % ports.length;
        if (delayMs == 0) {
          open();
        } else {
          vertx.setTimer(delayMs, id -> open());
        }
      }
    }
  }
}
