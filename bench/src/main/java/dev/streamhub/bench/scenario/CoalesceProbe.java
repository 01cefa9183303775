package dev.streamhub.bench.scenario;

import dev.streamhub.bench.load.Bounded;
import dev.streamhub.bench.load.Target;
import dev.streamhub.bench.measure.LatencySummary;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What coalescing tokens into fewer appends would buy, measured without changing the hub: the relay
 * publish API ({@code POST /v1/streams/{id}/events}) appends an array of events in one log append,
 * so publishing {@code k} deltas per request is exactly a k-token coalesced append. For each k,
 * {@code publishers} external streams are published to as fast as the hub answers (one request in
 * flight per stream) for a fixed time; reported: tokens/s and appends/s accepted, request latency
 * (the time one append takes end to end), and hub CPU per token. No readers: this isolates the
 * append path (log store, backup, event-bus publish), where the per-event cost of a cluster lies.
 */
final class CoalesceProbe {

  private CoalesceProbe() {}

  static JsonObject run(Vertx vertx, Target target, ResourceSampler edge, ResourceSampler worker, List<Integer> batches,
      int publishers, long millis) {
    Context context = vertx.getOrCreateContext();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost(target.host()).setDefaultPort(target.port()).setTcpNoDelay(true).setKeepAlive(true).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(publishers + 8));
    JsonObject out = new JsonObject();
    try {
      for (int k : batches) {
        out.put(Integer.toString(k), once(context, client, edge, worker, k, publishers, millis));
      }
    } finally {
      client.close().await();
    }
    return out;
  }

  private static JsonObject once(Context context, HttpClient client, ResourceSampler edge, ResourceSampler worker, int k,
      int publishers, long millis) {
    Promise<List<String>> created = Promise.promise();
    context.runOnContext(v -> {
      List<String> ids = new ArrayList<>();
      Bounded.run(publishers, 16, i -> post(client, "/v1/streams", new JsonObject().put("publisher", "external"))
          .onSuccess(body -> ids.add(body.getString("stream")))).onComplete(ar -> created.complete(ids));
    });
    List<String> streams = created.future().await();
    Histogram latency = new Histogram(3);
    long[] tokens = {0};
    long[] appends = {0};
    long[] errors = {0};
    String[] firstError = {null};
    Sample s0 = edge.mark();
    Sample w0 = worker == null ? null : worker.mark();
    long deadline = System.nanoTime() + millis * 1_000_000;
    Promise<Void> all = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> loops = new ArrayList<>();
      for (String stream : streams) {
        loops.add(loop(client, stream, k, deadline, latency, tokens, appends, errors, firstError));
      }
      Future.join(loops).onComplete(ar -> all.complete());
    });
    all.future().await();
    Sample s1 = edge.mark();
    Sample w1 = worker == null ? null : worker.mark();
    double seconds = (s1.atMillis() - s0.atMillis()) / 1000.0;
    Double edgeCpu = ResourceSampler.hubCpuPercent(s0, s1);
    Double workerCpu = worker == null ? null : ResourceSampler.hubCpuPercent(w0, w1);
    double hubCpu = (edgeCpu == null ? 0 : edgeCpu) + (workerCpu == null ? 0 : workerCpu);
    LatencySummary l = LatencySummary.of(latency);
    JsonObject json = new JsonObject()
        .put("tokens_per_append", k)
        .put("streams", streams.size())
        .put("seconds", Math.round(seconds * 100) / 100.0)
        .put("tokens_per_s", Math.round(tokens[0] / seconds))
        .put("appends_per_s", Math.round(appends[0] / seconds))
        .put("append_p50_ms", l.p50Ms())
        .put("append_p99_ms", l.p99Ms())
        .put("hub_cpu_pct", Math.round(hubCpu * 10) / 10.0)
        .put("edge_cpu_pct", edgeCpu)
        .put("worker_node_cpu_pct", workerCpu)
        .put("hub_cpu_us_per_token", tokens[0] == 0 ? null : Math.round(hubCpu / 100.0 * seconds * 1e6 / tokens[0] * 10) / 10.0)
        .put("other_cpu_pct", otherCpu(s0, s1, workerCpu))
        .put("errors", errors[0])
        .put("first_error", firstError[0]);
    System.out.println("   coalesce probe, " + k + " token(s) per append: " + json.getValue("tokens_per_s") + " tokens/s, "
        + json.getValue("appends_per_s") + " appends/s, append p50 " + l.p50Ms() + " ms p99 " + l.p99Ms() + " ms, hub CPU "
        + json.getValue("hub_cpu_pct") + " %, " + json.getValue("hub_cpu_us_per_token") + " us CPU/token, others "
        + json.getValue("other_cpu_pct") + " %");
    return json;
  }

  private static Double otherCpu(Sample s0, Sample s1, Double workerCpu) {
    Double other = ResourceSampler.otherCpuPercent(s0, s1);
    if (other == null) {
      return null;
    }
    return Math.max(0, Math.round((other - (workerCpu == null ? 0 : workerCpu)) * 10) / 10.0);
  }

  /** Publishes batches of {@code k} deltas to one stream, one request at a time, until the deadline. */
  private static Future<Void> loop(HttpClient client, String stream, int k, long deadline, Histogram latency, long[] tokens,
      long[] appends, long[] errors, String[] firstError) {
    Promise<Void> done = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (System.nanoTime() >= deadline) {
        done.complete();
        return;
      }
      JsonArray batch = new JsonArray();
      for (int i = 0; i < k; i++) {
        batch.add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", " tok")));
      }
      long t0 = System.nanoTime();
      post(client, "/v1/streams/" + stream + "/events", batch)
          .onSuccess(ok -> {
            latency.recordValue((System.nanoTime() - t0) / 1000);
            tokens[0] += k;
            appends[0]++;
            next[0].run();
          })
          .onFailure(err -> {
            errors[0]++;
            if (firstError[0] == null) {
              firstError[0] = err.getMessage();
            }
            done.complete();
          });
    };
    next[0].run();
    return done.future();
  }

  private static Future<JsonObject> post(HttpClient client, String uri, Object body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri).putHeader("Content-Type", "application/json");
    io.vertx.core.buffer.Buffer bytes = body instanceof JsonArray a ? a.toBuffer() : ((JsonObject) body).toBuffer();
    return client.request(options)
        .compose(req -> req.send(bytes))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2
            ? Future.succeededFuture(b.toJsonObject())
            : Future.failedFuture("POST " + uri + ": HTTP " + resp.statusCode() + ": " + b)));
  }
}
