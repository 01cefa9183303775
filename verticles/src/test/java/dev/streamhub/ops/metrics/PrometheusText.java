package dev.streamhub.ops.metrics;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (no parser of it is published on
 * Maven Central; the client library only writes it). Fails with the line on anything off: a bad
 * metric or label name, a bad escape, a value that is not a float, a sample before its family's
 * {@code # TYPE}, a second {@code # TYPE} for a family, a sample name that does not belong to its
 * family's type (histogram: {@code _bucket} with {@code le}, {@code _sum}, {@code _count}), a
 * duplicate series.
 */
final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** Family name to type. */
  final Map<String, String> types = new LinkedHashMap<>();
  /** Series (name and sorted labels, as {@code name{a="1",b="2"}}) to value. */
  final Map<String, Double> series = new LinkedHashMap<>();
  /** Series to its labels. */
  final Map<String, Map<String, String>> labels = new HashMap<>();

  static PrometheusText parse(String text) {
    PrometheusText parsed = new PrometheusText();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      try {
        parsed.line(line);
      } catch (RuntimeException e) {
        throw new AssertionError("line " + n + " '" + line + "': " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  /** The value of {@code name} with exactly {@code labelPairs} (name, value, name, value, ...). */
  Double value(String name, String... labelPairs) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      wanted.put(labelPairs[i], labelPairs[i + 1]);
    }
    return series.get(key(name, wanted));
  }

  private void line(String line) {
    if (line.isEmpty()) {
      return;
    }
    if (line.startsWith("#")) {
      String[] parts = line.split(" ", 4);
      if (parts.length >= 3 && parts[1].equals("TYPE")) {
        require(NAME.matcher(parts[2]).matches(), "bad family name");
        require(parts.length == 4 && TYPES.contains(parts[3]), "bad type");
        require(types.put(parts[2], parts[3]) == null, "second TYPE for " + parts[2]);
      } else if (parts.length >= 3 && parts[1].equals("HELP")) {
        require(NAME.matcher(parts[2]).matches(), "bad family name");
      }
      return;
    }
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    require(NAME.matcher(name).matches(), "bad metric name '" + name + "'");
    Map<String, String> sampleLabels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, sampleLabels);
    }
    require(i < line.length() && line.charAt(i) == ' ', "no space before the value");
    String[] rest = line.substring(i + 1).split(" ");
    require(rest.length == 1 || rest.length == 2, "expected a value and an optional timestamp");
    double value = value(rest[0]);
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    String family = family(name, sampleLabels);
    String key = key(name, sampleLabels);
    require(series.put(key, value) == null, "duplicate series " + key);
    labels.put(key, sampleLabels);
    require(family != null, "sample before its family's TYPE");
  }

  /** The family a sample belongs to, checked against the family's type. */
  private String family(String name, Map<String, String> sampleLabels) {
    if (types.containsKey(name)) {
      String type = types.get(name);
      require(!type.equals("histogram"), "a histogram sample needs _bucket, _sum or _count");
      return name;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type != null) {
          require(type.equals("histogram") || type.equals("summary"), name + " in a " + type);
          require(!suffix.equals("_bucket") || (type.equals("histogram") && sampleLabels.containsKey("le")), "a bucket without le");
          return base;
        }
      }
    }
    return null;
  }

  private static int labels(String line, int i, Map<String, String> out) {
    while (true) {
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      require(eq > i, "label without '='");
      String labelName = line.substring(i, eq);
      require(LABEL_NAME.matcher(labelName).matches(), "bad label name '" + labelName + "'");
      require(line.charAt(eq + 1) == '"', "label value not quoted");
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (line.charAt(j) != '"') {
        char c = line.charAt(j);
        if (c == '\\') {
          char next = line.charAt(j + 1);
          require(next == '\\' || next == '"' || next == 'n', "bad escape \\" + next);
          value.append(next == 'n' ? '\n' : next);
          j += 2;
        } else {
          value.append(c);
          j++;
        }
      }
      require(out.put(labelName, value.toString()) == null, "label " + labelName + " twice");
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      } else {
        require(line.charAt(i) == '}', "expected ',' or '}'");
      }
    }
  }

  private static double value(String s) {
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(s);
    }
  }

  private static String key(String name, Map<String, String> sortedLabels) {
    if (sortedLabels.isEmpty()) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append('{');
    sortedLabels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    b.setLength(b.length() - 1);
    return b.append('}').toString();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
