package dev.streamhub.bench.report;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The stdout table of a run: one row per record, the columns of issue 7. */
public final class Table {

  private static final String[][] COLUMNS = {
    {"scenario", "scenario"}, {"transport", "transport"}, {"clients", "clients"}, {"streams", "streams"},
    {"delivered/s", "delivered_per_s"}, {"p50 ms", "p50_ms"}, {"p99 ms", "p99_ms"}, {"p999 ms", "p999_ms"},
    {"max ms", "max_ms"}, {"lost", "lost"}, {"dup", "duplicates"}, {"ooo", "out_of_order"}, {"inc", "incomplete"},
    {"hub RSS MB", "server_rss_mb"}, {"hub CPU %", "server_cpu_pct"}, {"bench CPU %", "client_cpu_pct"},
  };

  private Table() {}

  public static String render(List<JsonObject> records) {
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[COLUMNS.length + 1];
    for (int i = 0; i < COLUMNS.length; i++) {
      header[i] = COLUMNS[i][0];
    }
    header[COLUMNS.length] = "target";
    rows.add(header);
    for (JsonObject r : records) {
      String[] row = new String[COLUMNS.length + 1];
      for (int i = 0; i < COLUMNS.length; i++) {
        row[i] = format(r.getValue(COLUMNS[i][1]));
        if (i == 0 && r.getString("variant") != null) {
          row[i] += " (" + r.getString("variant") + ")";
        }
        if (i == 0 && !"streamhub".equals(r.getString("target", "streamhub"))) {
          row[i] += " @" + r.getString("target");
        }
      }
      JsonObject check = r.getJsonObject("target_check");
      row[COLUMNS.length] = check == null ? "" : (check.getBoolean("met", false) ? "met" : "MISSED");
      rows.add(row);
    }
    int[] widths = new int[header.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int n = 0; n < rows.size(); n++) {
      String[] row = rows.get(n);
      for (int i = 0; i < row.length; i++) {
        out.append(i == 0 ? "" : "  ");
        out.append(i < 2 ? pad(row[i], widths[i]) : padLeft(row[i], widths[i]));
      }
      out.append('\n');
      if (n == 0) {
        int total = 0;
        for (int w : widths) {
          total += w + 2;
        }
        out.append("-".repeat(total - 2)).append('\n');
      }
    }
    for (JsonObject r : records) {
      JsonObject check = r.getJsonObject("target_check");
      if (check != null) {
        out.append(String.format(Locale.ROOT, "%s: %s -- goal: %s -- %s%n", r.getString("scenario"),
            check.getString("measured"), check.getString("goal"), check.getBoolean("met", false) ? "met" : "MISSED"));
      }
    }
    return out.toString();
  }

  static String format(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return d >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }
    if (v instanceof Long || v instanceof Integer) {
      long l = ((Number) v).longValue();
      return l >= 10_000 ? String.format(Locale.ROOT, "%,d", l) : Long.toString(l);
    }
    return v.toString();
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(w - s.length());
  }

  private static String padLeft(String s, int w) {
    return " ".repeat(w - s.length()) + s;
  }
}
