package dev.streamhub.bench.scenario;

import dev.streamhub.bench.measure.ProcStats;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * CPU of several named processes (the nodes of a cluster, whose pids change when one restarts),
 * sampled every {@code periodMs} on a thread of its own, so a scenario can report how busy each
 * node was in a window (the reconnect storm after a drain): the average over the window and the
 * busiest one-second stretch in it, in percent of one core.
 */
final class NodeCpu implements AutoCloseable {

  private record Tick(long atNanos, String node, long pid, long ticks) {}

  private final Map<String, Long> pids = new ConcurrentHashMap<>();
  private final List<Tick> ticks = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  NodeCpu(long periodMs) {
    thread = new Thread(() -> {
      while (running) {
        long now = System.nanoTime();
        pids.forEach((node, pid) -> ProcStats.cpuTicks(pid).ifPresent(t -> ticks.add(new Tick(now, node, pid, t))));
        try {
          Thread.sleep(periodMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "node-cpu");
    thread.setDaemon(true);
    thread.start();
  }

  /** From now on {@code node} is the process {@code pid}. */
  void track(String node, long pid) {
    pids.put(node, pid);
  }

  /**
   * Each node's CPU between {@code fromNanos} and {@code toNanos} (same pid at both ends only):
   * {@code {"node": {"avg_pct": a, "peak_1s_pct": p}}}.
   */
  JsonObject window(long fromNanos, long toNanos) {
    JsonObject out = new JsonObject();
    for (String node : pids.keySet().stream().sorted().toList()) {
      List<Tick> in = new ArrayList<>();
      for (Tick t : ticks) {
        if (t.node().equals(node) && t.atNanos() >= fromNanos && t.atNanos() <= toNanos) {
          in.add(t);
        }
      }
      if (in.size() < 2) {
        continue;
      }
      Tick first = in.get(0);
      Tick last = in.get(in.size() - 1);
      JsonObject n = new JsonObject();
      if (first.pid() == last.pid()) {
        n.put("avg_pct", pct(first, last));
      }
      double peak = 0;
      for (int i = 0; i < in.size(); i++) {
        for (int j = i + 1; j < in.size(); j++) {
          Tick a = in.get(i);
          Tick b = in.get(j);
          if (b.atNanos() - a.atNanos() >= 1_000_000_000L) {
            if (a.pid() == b.pid()) {
              peak = Math.max(peak, pct(a, b));
            }
            break;
          }
        }
      }
      n.put("peak_1s_pct", Math.round(peak));
      out.put(node, n);
    }
    return out;
  }

  private static long pct(Tick a, Tick b) {
    double seconds = (b.atNanos() - a.atNanos()) / 1e9;
    return Math.round((b.ticks() - a.ticks()) * 100.0 / ProcStats.TICKS_PER_SECOND / seconds);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
