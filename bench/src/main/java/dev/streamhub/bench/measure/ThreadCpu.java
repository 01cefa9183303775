package dev.streamhub.bench.measure;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU per thread group of a process between two marks, from {@code /proc/<pid>/task}: shows
 * whether the event loops, the JIT compiler or the garbage collector used the time. Threads are
 * grouped by their kernel name (the first 15 characters of the Java name) with digits folded,
 * so {@code GC Thread#0} and {@code GC Thread#1} count together.
 */
public final class ThreadCpu {

  private ThreadCpu() {}

  /** Percent of one core per thread group, largest first, groups under 0.5 % left out; empty when unknown. */
  public static JsonObject between(Map<String, Map.Entry<String, Long>> start, Map<String, Map.Entry<String, Long>> end,
      long millis) {
    JsonObject json = new JsonObject();
    if (start == null || end == null || millis <= 0) {
      return json;
    }
    double seconds = millis / 1000.0;
    Map<String, Long> groups = new HashMap<>();
    end.forEach((tid, now) -> {
      Map.Entry<String, Long> before = start.get(tid);
      long ticks = now.getValue() - (before == null ? 0 : before.getValue());
      groups.merge(now.getKey().replaceAll("[0-9]+", "#"), ticks, Long::sum);
    });
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    for (Map.Entry<String, Long> e : sorted) {
      double pct = Math.round(e.getValue() / (double) ProcStats.TICKS_PER_SECOND / seconds * 1000) / 10.0;
      if (pct >= 0.5) {
        json.put(e.getKey(), pct);
      }
    }
    return json;
  }
}
