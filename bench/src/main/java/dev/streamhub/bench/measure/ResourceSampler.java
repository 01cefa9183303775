package dev.streamhub.bench.measure;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  public record Sample(long atMillis, long hubRss, long hubTicks, long hubSystemTicks, long selfTicks, long machineBusy,
      long machineTotal, Map<String, Map.Entry<String, Long>> hubThreads, Map<String, Map.Entry<String, Long>> selfThreads,
      long storeTicks) {}

  private final long hubPid;
  /** Count the hub's child processes too (nginx: the master and its workers). */
  private final boolean withChildren;
  /** The hub's processes, refreshed at every {@link #mark()}; touched by the sampler thread only. */
  private volatile long[] hubPids;
  private final long selfPid = ProcessHandle.current().pid();
  /** A store process next to the hub whose CPU is measured too ({@code --store redis}: redis-server), -1: none. */
  private volatile long storePid = -1;
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-sampler");
    t.setDaemon(true);
    return t;
  });

  /** @param hubPid the hub's pid, or -1 when unknown (CPU and RSS of the hub are then not reported) */
  public ResourceSampler(long hubPid, long periodMillis) {
    this(hubPid, periodMillis, false);
  }

  /**
   * @param withChildren sum RSS and CPU over the hub process and all its descendants (a server made
   *     of several processes, such as nginx's master and workers)
   */
  public ResourceSampler(long hubPid, long periodMillis, boolean withChildren) {
    this.hubPid = hubPid;
    this.withChildren = withChildren;
    this.hubPids = new long[] {hubPid};
    timer.scheduleAtFixedRate(() -> sample(false), 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes a sample now, with the CPU time of every thread of both processes, and returns it: the
   * marks a scenario computes its window from.
   */
  public Sample mark() {
    try {
      return timer.submit(() -> sample(true)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Sample sample(boolean threads) {
    if (withChildren && hubPid >= 0 && (threads || hubPids.length == 1)) {
      hubPids = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(hubPid),
          ProcessHandle.of(hubPid).stream().flatMap(ProcessHandle::descendants).mapToLong(ProcessHandle::pid)).toArray();
    }
    OptionalLong rss = OptionalLong.empty();
    long[] hubTicks = new long[0];
    Map<String, Map.Entry<String, Long>> hubThreads = threads && hubPid >= 0 ? new java.util.HashMap<>() : null;
    for (long pid : hubPid < 0 ? new long[0] : hubPids) {
      OptionalLong r = ProcStats.rssBytes(pid);
      if (r.isPresent()) {
        rss = OptionalLong.of(rss.orElse(0) + r.getAsLong());
      }
      long[] t = ProcStats.userSystemTicks(pid);
      if (t.length == 2) {
        hubTicks = hubTicks.length == 2 ? new long[] {hubTicks[0] + t[0], hubTicks[1] + t[1]} : t;
      }
      if (hubThreads != null) {
        hubThreads.putAll(ProcStats.threadTicks(pid));
      }
    }
    long[] machine = ProcStats.machineTicks();
    Sample s = new Sample(System.currentTimeMillis(), rss.orElse(-1),
        hubTicks.length == 2 ? hubTicks[0] + hubTicks[1] : -1, hubTicks.length == 2 ? hubTicks[1] : -1,
        ProcStats.cpuTicks(selfPid).orElse(-1), machine.length == 2 ? machine[0] : -1, machine.length == 2 ? machine[1] : -1,
        hubThreads, threads ? ProcStats.threadTicks(selfPid) : null, storeTicks());
    synchronized (samples) {
      samples.add(s);
    }
    return s;
  }

  /** Also samples the CPU time of {@code pid} (user + system, /proc/<pid>/stat), e.g. the hub's redis-server. */
  public void measureStore(long pid) {
    storePid = pid;
  }

  private long storeTicks() {
    long pid = storePid;
    return pid < 0 ? -1 : ProcStats.cpuTicks(pid).orElse(-1);
  }

  /** CPU of the {@link #measureStore} process between two marks, in percent of one core; null when none. */
  public static Double storeCpuPercent(Sample from, Sample to) {
    return percent(from.storeTicks, to.storeTicks, from.atMillis, to.atMillis);
  }

  /**
   * The hub's proportional set size now (its processes' {@code Pss}, summed): unlike summed RSS, a
   * page shared by several processes (nginx's shared memory zone) counts once. -1 when unknown.
   */
  public long hubPssBytes() {
    long sum = -1;
    for (long pid : hubPid < 0 ? new long[0] : hubPids) {
      OptionalLong p = ProcStats.pssBytes(pid);
      if (p.isPresent()) {
        sum = Math.max(sum, 0) + p.getAsLong();
      }
    }
    return sum;
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

  /** The kernel's part of {@link #hubCpuPercent} (system calls: socket writes, epoll, wake-ups). */
  public static Double hubSystemCpuPercent(Sample from, Sample to) {
    return percent(from.hubSystemTicks, to.hubSystemTicks, from.atMillis, to.atMillis);
  }

  public static Double selfCpuPercent(Sample from, Sample to) {
    return percent(from.selfTicks, to.selfTicks, from.atMillis, to.atMillis);
  }

  /**
   * CPU of the whole machine between two marks, in percent of one core (all processes, including
   * the hub, the load generator and anything else running on a shared machine).
   */
  public static Double machineCpuPercent(Sample from, Sample to) {
    if (from.machineBusy < 0 || to.machineBusy < 0 || to.machineTotal <= from.machineTotal) {
      return null;
    }
    double share = (to.machineBusy - from.machineBusy) / (double) (to.machineTotal - from.machineTotal);
    return Math.round(share * Runtime.getRuntime().availableProcessors() * 1000) / 10.0;
  }

  /** CPU used by neither the hub nor the load generator between two marks, in percent of one core. */
  public static Double otherCpuPercent(Sample from, Sample to) {
    Double machine = machineCpuPercent(from, to);
    Double hub = hubCpuPercent(from, to);
    Double self = selfCpuPercent(from, to);
    Double store = storeCpuPercent(from, to);
    if (machine == null || self == null) {
      return null;
    }
    return Math.max(0, Math.round((machine - self - (hub == null ? 0 : hub) - (store == null ? 0 : store)) * 10) / 10.0);
  }

  private static Double percent(long t0, long t1, long ms0, long ms1) {
    if (t0 < 0 || t1 < 0 || ms1 <= ms0) {
      return null;
    }
    double cpuSeconds = (t1 - t0) / (double) ProcStats.TICKS_PER_SECOND;
    return Math.round(cpuSeconds / ((ms1 - ms0) / 1000.0) * 1000) / 10.0;
  }

  /** Per-second samples between the marks: {@code [seconds, hub_rss_mb, hub_cpu_pct, client_cpu_pct, other_cpu_pct]}. */
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
                .add(selfCpuPercent(previous, s))
                .add(otherCpuPercent(previous, s)));
          }
          previous = s;
        }
      }
    }
    return rows;
  }

  /**
   * Waits, at most {@code maxMillis}, until processes other than the hub and the load generator
   * use less than {@code maxOtherPercent} of one core over a 2-second interval: on a shared
   * machine, a run next to someone's build measures the build. Returns the other processes' CPU
   * in the last interval (null when /proc/stat is unreadable).
   */
  public Double awaitQuiet(double maxOtherPercent, long maxMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + maxMillis;
    Sample previous = mark();
    while (true) {
      Thread.sleep(2000);
      Sample now = mark();
      Double other = otherCpuPercent(previous, now);
      if (other == null || other < maxOtherPercent || System.currentTimeMillis() >= deadline) {
        return other;
      }
      previous = now;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
