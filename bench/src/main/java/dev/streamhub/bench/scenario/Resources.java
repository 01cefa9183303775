package dev.streamhub.bench.scenario;

import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.measure.ResourceSampler.Sample;
import dev.streamhub.bench.measure.ThreadCpu;
import io.vertx.core.json.JsonObject;

/** The hub-RSS and CPU fields every record carries. */
final class Resources {

  private Resources() {}

  static void put(JsonObject json, ResourceSampler sampler, Sample start, Sample end) {
    long peak = sampler.peakRss(start, end);
    json.put("server_rss_mb", peak < 0 ? null : mb(peak))
        .put("server_pss_end_mb", sampler.hubPssBytes() < 0 ? null : mb(sampler.hubPssBytes()))
        .put("server_rss_start_mb", start.hubRss() < 0 ? null : mb(start.hubRss()))
        .put("server_cpu_pct", ResourceSampler.hubCpuPercent(start, end))
        .put("server_cpu_system_pct", ResourceSampler.hubSystemCpuPercent(start, end))
        .put("client_cpu_pct", ResourceSampler.selfCpuPercent(start, end))
        .put("server_threads_cpu_pct", ThreadCpu.between(start.hubThreads(), end.hubThreads(), end.atMillis() - start.atMillis()))
        .put("client_threads_cpu_pct", ThreadCpu.between(start.selfThreads(), end.selfThreads(), end.atMillis() - start.atMillis()))
        .put("machine_cpu_pct", ResourceSampler.machineCpuPercent(start, end))
        .put("other_cpu_pct", ResourceSampler.otherCpuPercent(start, end))
        .put("resources_timeline", sampler.timeline(start, end))
        .put("resources_timeline_columns", "seconds, hub_rss_mb, hub_cpu_pct, client_cpu_pct, other_cpu_pct");
    Double store = ResourceSampler.storeCpuPercent(start, end);
    if (store != null) {
      json.put("redis_cpu_pct", store);
    }
  }

  static double mb(long bytes) {
    return Math.round(bytes / 1048576.0 * 10) / 10.0;
  }
}
