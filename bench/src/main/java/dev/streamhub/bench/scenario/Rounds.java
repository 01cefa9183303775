package dev.streamhub.bench.scenario;

import io.vertx.core.json.JsonObject;

/** What is kept of a warm-up round. */
final class Rounds {

  private Rounds() {}

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
