package dev.streamhub.bench.measure;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the hub's RSS and CPU time and the load generator's own CPU time on a plain thread (never
 * an event loop), so a run reports peak hub RSS and both processes' CPU over its window.
 */
public final class ResourceSampler implements AutoCloseable {

  /** One sample; {@code hubRss} and {@code hubTicks} are -1 when the hub's pid is unknown. */
  public record Sample(long atMillis, long hubRss, long hubTicks, long selfTicks) {}

  private final long hubPid;
  private final long selfPid = ProcessHandle.current().pid();
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-sampler");
    t.setDaemon(true);
    return t;
  });

  /** @param hubPid the hub's pid, or -1 when unknown (CPU and RSS of the hub are then not reported) */
  public ResourceSampler(long hubPid, long periodMillis) {
    this.hubPid = hubPid;
    timer.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Takes a sample now and returns it (the marks a scenario computes its window from). */
  public Sample mark() {
    try {
      return timer.submit(this::sample).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Sample sample() {
    OptionalLong rss = hubPid < 0 ? OptionalLong.empty() : ProcStats.rssBytes(hubPid);
    OptionalLong hubTicks = hubPid < 0 ? OptionalLong.empty() : ProcStats.cpuTicks(hubPid);
    Sample s = new Sample(System.currentTimeMillis(), rss.orElse(-1), hubTicks.orElse(-1),
        ProcStats.cpuTicks(selfPid).orElse(-1));
    synchronized (samples) {
      samples.add(s);
    }
    return s;
  }

  /** Highest hub RSS sampled between the two marks, in bytes; -1 when unknown. */
  public long peakRss(Sample from, Sample to) {
    long peak = -1;
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.atMillis >= from.atMillis && s.atMillis <= to.atMillis) {
          peak = Math.max(peak, s.hubRss);
        }
      }
    }
    return peak;
  }

  /** Hub CPU between two marks, in percent of one core (200 = both cores of a 2-core machine busy). */
  public static Double hubCpuPercent(Sample from, Sample to) {
    return percent(from.hubTicks, to.hubTicks, from.atMillis, to.atMillis);
  }

  public static Double selfCpuPercent(Sample from, Sample to) {
    return percent(from.selfTicks, to.selfTicks, from.atMillis, to.atMillis);
  }

  private static Double percent(long t0, long t1, long ms0, long ms1) {
    if (t0 < 0 || t1 < 0 || ms1 <= ms0) {
      return null;
    }
    double cpuSeconds = (t1 - t0) / (double) ProcStats.TICKS_PER_SECOND;
    return Math.round(cpuSeconds / ((ms1 - ms0) / 1000.0) * 1000) / 10.0;
  }

  /** Per-second samples between the marks: {@code [seconds, hub_rss_mb, hub_cpu_pct, client_cpu_pct]}. */
  public JsonArray timeline(Sample from, Sample to) {
    JsonArray rows = new JsonArray();
    Sample previous = null;
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.atMillis < from.atMillis || s.atMillis > to.atMillis) {
          continue;
        }
        if (previous == null || s.atMillis - previous.atMillis >= 1000) {
          if (previous != null) {
            rows.add(new JsonArray()
                .add(Math.round((s.atMillis - from.atMillis) / 100.0) / 10.0)
                .add(s.hubRss < 0 ? null : Math.round(s.hubRss / 1048576.0 * 10) / 10.0)
                .add(hubCpuPercent(previous, s))
                .add(selfCpuPercent(previous, s)));
          }
          previous = s;
        }
      }
    }
    return rows;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
