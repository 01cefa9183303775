package dev.streamhub.bench.report;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * The records of one scenario run once per hub variant ({@code --store memory,redis},
 * {@code --auth off,on}), same load, same run: CPU per delivered token, each variant's ratios to the
 * first (the baseline), and the issues' targets. Fields added to each record:
 * {@code hub_cpu_us_per_token}, {@code redis_cpu_us_per_token}, {@code hub_redis_cpu_us_per_token}
 * (CPU microseconds per delivered token, from the CPU percentages of the measured round), and for
 * every variant after the first {@code variant_check} ({@code baseline}, {@code delivered_ratio},
 * {@code p99_ratio}, {@code goal}, {@code met}).
 */
public final class VariantComparison {

  private VariantComparison() {}

  /** Adds the per-token CPU fields to one record's measured fields. */
  public static void perToken(JsonObject measured) {
    Number delivered = (Number) measured.getValue("delivered_per_s");
    if (delivered == null || delivered.doubleValue() <= 0) {
      return;
    }
    Double hub = measured.getDouble("server_cpu_pct");
    Double redis = measured.getDouble("redis_cpu_pct");
    Double hubUs = usPerToken(hub, delivered.doubleValue());
    Double redisUs = usPerToken(redis, delivered.doubleValue());
    measured.put("hub_cpu_us_per_token", hubUs);
    if (redisUs != null) {
      measured.put("redis_cpu_us_per_token", redisUs);
    }
    if (hubUs != null) {
      measured.put("hub_redis_cpu_us_per_token", round(hubUs + (redisUs == null ? 0 : redisUs)));
    }
  }

  /** CPU percent of one core over delivered tokens/s: CPU microseconds per token. */
  static Double usPerToken(Double cpuPct, double deliveredPerS) {
    return cpuPct == null ? null : round(cpuPct / 100.0 * 1_000_000 / deliveredPerS);
  }

  /** Compares every record after the first with the first, adding {@code variant_check}. */
  public static void compare(List<JsonObject> records) {
    if (records.size() < 2) {
      return;
    }
    JsonObject base = records.get(0);
    for (JsonObject r : records.subList(1, records.size())) {
      Double delivered = ratio(r, base, "delivered_per_s");
      Double p99 = ratio(r, base, "p99_ms");
      Double p99ms = r.getDouble("p99_ms");
      boolean complete = Long.valueOf(0).equals(r.getLong("lost")) && Long.valueOf(0).equals(r.getLong("incomplete", 0L))
          && Long.valueOf(0).equals(base.getLong("lost")) && Long.valueOf(0).equals(base.getLong("incomplete", 0L));
      String goal;
      boolean met;
      if ("redis".equals(r.getString("store")) && "memory".equals(base.getString("store"))
          && java.util.Objects.equals(r.getString("auth"), base.getString("auth"))) {
        goal = "issue 14: the Redis store delivers at least half of the memory store's tokens/s, at p99 under 50 ms";
        met = complete && delivered != null && delivered >= 0.5 && p99ms != null && p99ms < 50;
      } else if ("on".equals(r.getString("auth")) && "off".equals(base.getString("auth"))
          && java.util.Objects.equals(r.getString("store"), base.getString("store"))) {
        goal = "issue 13: auth and limits on within 10 % of off in tokens/s and in p99";
        met = complete && delivered != null && delivered >= 0.9 && p99 != null && p99 <= 1.1;
      } else {
        goal = "(no target for this pair)";
        met = false;
      }
      r.put("variant_check", new JsonObject()
          .put("baseline", base.getString("variant"))
          .put("delivered_ratio", delivered)
          .put("p99_ratio", p99)
          .put("every_token_delivered", complete)
          .put("goal", goal)
          .put("met", met));
    }
  }

  /** A plain-text table: one row per variant, then the checks. */
  public static String render(List<JsonObject> records) {
    StringBuilder s = new StringBuilder("hub variants, same load, same run:\n");
    s.append(String.format(Locale.ROOT, "  %-26s %10s %8s %8s %6s %6s %8s %8s %8s %10s %8s %8s%n", "variant", "tokens/s",
        "p50 ms", "p99 ms", "lost", "incmpl", "hub CPU%", "redis%", "hub us/t", "hub+redis", "x tok/s", "x p99"));
    for (JsonObject r : records) {
      JsonObject check = r.getJsonObject("variant_check");
      s.append(String.format(Locale.ROOT, "  %-26s %10s %8s %8s %6s %6s %8s %8s %8s %10s %8s %8s%n", r.getString("variant"),
          v(r, "delivered_per_s"), v(r, "p50_ms"), v(r, "p99_ms"), v(r, "lost"), v(r, "incomplete"), v(r, "server_cpu_pct"),
          v(r, "redis_cpu_pct"), v(r, "hub_cpu_us_per_token"), v(r, "hub_redis_cpu_us_per_token"),
          check == null ? "1" : v(check, "delivered_ratio"), check == null ? "1" : v(check, "p99_ratio")));
    }
    for (JsonObject r : records) {
      JsonObject check = r.getJsonObject("variant_check");
      if (check != null) {
        s.append("  ").append(r.getString("variant")).append(" vs ").append(check.getString("baseline")).append(": ")
            .append(check.getString("goal")).append(": ").append(check.getBoolean("met") ? "met" : "MISSED").append('\n');
      }
    }
    return s.toString();
  }

  private static Double ratio(JsonObject r, JsonObject base, String key) {
    Number a = (Number) r.getValue(key);
    Number b = (Number) base.getValue(key);
    return a == null || b == null || b.doubleValue() == 0 ? null : Math.round(a.doubleValue() / b.doubleValue() * 1000) / 1000.0;
  }

  private static String v(JsonObject r, String key) {
    Object o = r.getValue(key);
    return o == null ? "-" : o.toString();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
