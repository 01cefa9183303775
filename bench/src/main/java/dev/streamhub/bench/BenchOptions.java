package dev.streamhub.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code <scenario> [--key value | --flag]...}. Values are read through typed getters that take the
 * scenario's default, so each scenario documents its own defaults; unknown options fail the run.
 */
public final class BenchOptions {

  /** Options that take no value. */
  private static final Set<String> FLAGS = Set.of("fresh", "hub-jfr", "help");
  /** Options that may be given more than once. */
  private static final Set<String> REPEATABLE = Set.of("hub-env");

  private final String scenario;
  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private final Set<String> read = new TreeSet<>();

  private BenchOptions(String scenario) {
    this.scenario = scenario;
  }

  public static BenchOptions parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("--")) {
      BenchOptions options = new BenchOptions("help");
      return options;
    }
    BenchOptions options = new BenchOptions(args[0]);
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException("expected an option --name, got '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (FLAGS.contains(name)) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      List<String> list = options.values.computeIfAbsent(name, k -> new ArrayList<>());
      if (!list.isEmpty() && !REPEATABLE.contains(name)) {
        throw new IllegalArgumentException("--" + name + " given twice");
      }
      list.add(value);
    }
    return options;
  }

  public String scenario() {
    return scenario;
  }

  public boolean has(String name) {
    read.add(name);
    return values.containsKey(name);
  }

  public String string(String name, String dflt) {
    read.add(name);
    List<String> list = values.get(name);
    return list == null ? dflt : list.get(0);
  }

  public List<String> all(String name) {
    read.add(name);
    return values.getOrDefault(name, List.of());
  }

  public boolean flag(String name) {
    String v = string(name, "false");
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " is a flag (true or false), got '" + v + "'");
    }
    return v.equals("true");
  }

  public int integer(String name, int dflt, int min, int max) {
    return (int) longValue(name, dflt, min, max);
  }

  public long longValue(String name, long dflt, long min, long max) {
    String v = string(name, null);
    if (v == null) {
      return dflt;
    }
    long parsed;
    try {
      parsed = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException("--" + name + " must be from " + min + " to " + max + ", got " + parsed);
    }
    return parsed;
  }

  /** Options given but never read by the scenario that ran: typos, or options of another scenario. */
  public Set<String> unused() {
    Set<String> unused = new TreeSet<>(values.keySet());
    unused.removeAll(read);
    return unused;
  }
}
