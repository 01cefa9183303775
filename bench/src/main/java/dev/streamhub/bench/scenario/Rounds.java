package dev.streamhub.bench.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/** Warm-up rounds, and what is kept of them. */
final class Rounds {

  private Rounds() {}

  /**
   * Runs {@code round} {@code rounds} times and reports the last: the first rounds warm up the JIT
   * compilers of both JVMs, which otherwise take a quarter of a core each during a short run. The
   * earlier rounds' headline numbers stay in the record ({@code warmup_rounds}).
   */
  static JsonObject lastOf(int rounds, Supplier<JsonObject> round) {
    JsonArray warmups = new JsonArray();
    for (int i = 1; i < rounds; i++) {
      JsonObject w = round.get();
      System.out.println("   warm-up round " + i + ": " + headline(w));
      warmups.add(summary(w));
    }
    return round.get().put("rounds", rounds).put("warmup_rounds", warmups);
  }

  static JsonObject summary(JsonObject round) {
    JsonObject s = new JsonObject();
    for (String key : new String[] {"delivered_per_s", "p50_ms", "p99_ms", "max_ms", "lost", "duplicates",
        "out_of_order", "incomplete", "server_cpu_pct", "client_cpu_pct", "other_cpu_pct", "all_readers_open_s"}) {
      s.put(key, round.getValue(key));
    }
    return s;
  }

  static String headline(JsonObject round) {
    return round.getValue("delivered_per_s") + " tokens/s, p50 " + round.getValue("p50_ms") + " ms, p99 "
        + round.getValue("p99_ms") + " ms, lost " + round.getValue("lost") + ", hub CPU "
        + round.getValue("server_cpu_pct") + " %, bench CPU " + round.getValue("client_cpu_pct") + " %, others "
        + round.getValue("other_cpu_pct") + " %";
  }
}
