package dev.streamhub.bench.measure;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jcmd <pid> GC.class_histogram} output, parsed, and the difference of two: which classes
 * the live heap grew by between them (what a thousand more connections cost, by class).
 */
public final class ClassHistogram {

  /** Instances and bytes of one class. */
  public record Entry(long instances, long bytes) {}

  private final Map<String, Entry> classes;

  private ClassHistogram(Map<String, Entry> classes) {
    this.classes = classes;
  }

  /** Lines {@code "   1:   12345   678900  [B (java.base@17)"}; other lines are skipped. */
  public static ClassHistogram parse(String text) {
    Map<String, Entry> classes = new HashMap<>();
    if (text != null) {
      for (String line : text.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":") && f[1].chars().allMatch(Character::isDigit)
            && f[2].chars().allMatch(Character::isDigit)) {
          classes.merge(f[3], new Entry(Long.parseLong(f[1]), Long.parseLong(f[2])),
              (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
        }
      }
    }
    return new ClassHistogram(classes);
  }

  public boolean isEmpty() {
    return classes.isEmpty();
  }

  public long totalBytes() {
    return classes.values().stream().mapToLong(Entry::bytes).sum();
  }

  /**
   * The {@code top} classes that grew most from {@code before} to this one, by bytes, each with its
   * growth per {@code per} (connections): {@code [{class, instances, bytes, instances_per, bytes_per}]}.
   */
  public JsonArray growthSince(ClassHistogram before, int top, long per) {
    return growthSince(before, top, per, "");
  }

  /** As {@link #growthSince(ClassHistogram, int, long)}, only classes whose name starts with {@code prefix}. */
  public JsonArray growthSince(ClassHistogram before, int top, long per, String prefix) {
    List<Map.Entry<String, Entry>> grown = new ArrayList<>();
    classes.forEach((name, now) -> {
      if (!name.startsWith(prefix)) {
        return;
      }
      Entry was = before.classes.getOrDefault(name, new Entry(0, 0));
      grown.add(Map.entry(name, new Entry(now.instances - was.instances, now.bytes - was.bytes)));
    });
    grown.sort((a, b) -> Long.compare(b.getValue().bytes, a.getValue().bytes));
    JsonArray rows = new JsonArray();
    for (Map.Entry<String, Entry> e : grown.subList(0, Math.min(top, grown.size()))) {
      rows.add(new JsonObject()
          .put("class", e.getKey())
          .put("instances", e.getValue().instances)
          .put("bytes", e.getValue().bytes)
          .put("instances_per_connection", per > 0 ? Math.round(e.getValue().instances * 100.0 / per) / 100.0 : null)
          .put("bytes_per_connection", per > 0 ? Math.round(e.getValue().bytes * 10.0 / per) / 10.0 : null));
    }
    return rows;
  }
}
