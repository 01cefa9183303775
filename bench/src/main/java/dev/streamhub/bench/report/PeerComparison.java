package dev.streamhub.bench.report;

import dev.streamhub.bench.scenario.Scenario;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * {@code --peer}: the StreamHub record and the peer's record of the same scenario in the same run,
 * side by side. The ratios StreamHub/peer go into both records ({@code vs_peer}); issue 7's target
 * (StreamHub's delivered/s at least the peer's, its p99 no worse) is the StreamHub record's
 * {@code peer_check}. The peer's record keeps the scenario's own check as {@code delivery_check}
 * (the latency target is StreamHub's, not Nchan's).
 */
public final class PeerComparison {

  public static final List<String> PEERS = List.of("nchan", "resumable-stream");
  /** Figures compared, as {@code [label, key]}. */
  static final String[][] FIGURES = {
    {"delivered/s", "delivered_per_s"}, {"p50", "p50_ms"}, {"p99", "p99_ms"}, {"p99.9", "p999_ms"}, {"max", "max_ms"},
    {"server RSS", "server_rss_mb"}, {"server PSS", "server_pss_end_mb"}, {"server CPU", "server_cpu_pct"},
    {"bench CPU", "client_cpu_pct"}, {"published/s", "published_per_s"}, {"server CPU per delivered", "server_cpu_us_per_delivered"},
  };
  /** Issue 16: server CPU per delivered message at most this many times the peer's. */
  static final double CPU_PER_DELIVERED_MAX_RATIO = 1.25;
  /** Issue 16: delivered/s "equal": StreamHub delivers every token and at most this fraction less per second than the peer. */
  static final double DELIVERED_EQUAL_WITHIN = 0.005;

  private PeerComparison() {}

  /** {@code --peer a,b}: the peers in the order they run, after StreamHub. */
  public static List<String> parse(String peers) {
    return List.of(peers.split(","));
  }

  /** Fails before anything starts when {@code --peer} cannot run with these options. */
  public static void check(String peers, String transport, List<Scenario> scenarios) {
    for (String peer : parse(peers)) {
      if (!PEERS.contains(peer)) {
        throw new IllegalArgumentException("--peer must be one of " + PEERS + " (or several, comma-separated), got '" + peer + "'");
      }
    }
    String peer = peers;
    if (!transport.equals("sse")) {
      throw new IllegalArgumentException("--peer " + peer + " compares SSE readers; drop --transport " + transport);
    }
    for (Scenario s : scenarios) {
      if (!"relay".equals(s.variant()) || !(s.name().equals("many-streams") || s.name().equals("fan-out"))) {
        throw new IllegalArgumentException("--peer " + peer + " runs many-streams or fan-out in relay mode (--publisher http), not "
            + s.name() + (s.variant() == null ? "" : " " + s.variant()));
      }
    }
  }

  /** Puts the ratios and the verdict into {@code ours} (StreamHub's record) and {@code theirs} (the peer's). */
  public static void attach(JsonObject ours, JsonObject theirs) {
    String peer = theirs.getString("target");
    cpuPerDelivered(ours);
    cpuPerDelivered(theirs);
    JsonObject ratios = new JsonObject().put("peer", peer).put("ratio", "streamhub / " + peer);
    for (String[] f : FIGURES) {
      ratios.put(f[1], ratio(ours.getValue(f[1]), theirs.getValue(f[1])));
    }
    keep(ours, "vs_peer", peer, ratios);
    theirs.put("vs_peer", ratios.copy());
    JsonObject delivery = theirs.getJsonObject("target_check");
    if (delivery != null) {
      theirs.remove("target_check");
      theirs.put("delivery_check", delivery.put("goal", delivery.getString("goal") + " (StreamHub's target, shown for reference)"));
    }
    long ourRate = ours.getLong("delivered_per_s", 0L);
    long theirRate = theirs.getLong("delivered_per_s", 0L);
    Double ourP99 = ours.getDouble("p99_ms");
    Double theirP99 = theirs.getDouble("p99_ms");
    boolean ourComplete = complete(ours);
    boolean theirComplete = complete(theirs);
    boolean rateOk = ourRate >= theirRate;
    boolean p99Ok = ourP99 != null && theirP99 != null && ourP99 <= theirP99;
    // "equal": the offered load is the same, so StreamHub keeps up when it delivers every token and is
    // not behind the peer by more than the noise of two equal loads (ahead is fine)
    boolean rateEqual = ourComplete && ourRate >= (1 - DELIVERED_EQUAL_WITHIN) * theirRate;
    Double cpuRatio = ratios.getDouble("server_cpu_us_per_delivered");
    boolean cpuOk = cpuRatio != null && cpuRatio <= CPU_PER_DELIVERED_MAX_RATIO;
    keep(ours, "efficiency_check", peer, new JsonObject()
        .put("peer", peer)
        .put("goal", "issue 16, against " + peer + " in the same run: delivered/s equal (every token delivered, at most "
            + Math.round(DELIVERED_EQUAL_WITHIN * 1000) / 10.0 + " % below the peer's), p99 no worse, server CPU per delivered message at most "
            + CPU_PER_DELIVERED_MAX_RATIO + "x " + peer + "'s")
        .put("measured", String.format(Locale.ROOT, "delivered/s %,d vs %,d (%s), p99 %s vs %s ms (%s), server CPU per delivered %s vs %s us (%sx, %s)",
            ourRate, theirRate, rateEqual ? "met" : "missed", ourP99, theirP99, p99Ok ? "met" : "missed",
            ours.getValue("server_cpu_us_per_delivered"), theirs.getValue("server_cpu_us_per_delivered"), cpuRatio, cpuOk ? "met" : "missed"))
        .put("delivered_met", rateEqual)
        .put("p99_met", p99Ok)
        .put("cpu_met", cpuOk)
        .put("met", rateEqual && p99Ok && cpuOk));
    keep(ours, "peer_check", peer, new JsonObject()
        .put("peer", peer)
        .put("goal", "against " + peer + " in the same run (relay mode over SSE): StreamHub's delivered/s at least "
            + peer + "'s and its p99 latency no worse")
        .put("measured", String.format(Locale.ROOT, "delivered/s %,d vs %,d (%s), p99 %s vs %s ms (%s)%s%s",
            ourRate, theirRate, rateOk ? "met" : "missed", ourP99, theirP99, p99Ok ? "met" : "missed",
            ourComplete ? "" : "; StreamHub did NOT deliver every token", theirComplete ? "" : "; " + peer + " did NOT deliver every token")
            + (contended(ours) || contended(theirs) ? "; CONTENDED: other processes used over " + CONTENDED_PCT
                + " % of a core during a measured round (streamhub " + ours.getValue("other_cpu_pct") + " %, " + peer + " "
                + theirs.getValue("other_cpu_pct") + " %), rerun" : ""))
        .put("contended", contended(ours) || contended(theirs))
        .put("delivered_met", rateOk)
        .put("p99_met", p99Ok)
        .put("met", rateOk && p99Ok && ourComplete));
  }

  /**
   * Keeps {@code value} in {@code ours} under {@code <key>s.<peer>} (every peer of the run) and, for
   * the first peer of the run, also under {@code key} (the single-peer form report.py and older
   * records use).
   */
  private static void keep(JsonObject ours, String key, String peer, JsonObject value) {
    JsonObject all = ours.getJsonObject(key + "s");
    if (all == null) {
      all = new JsonObject();
      ours.put(key + "s", all);
      ours.put(key, value);
    }
    all.put(peer, value);
  }

  /** Microseconds of server CPU (all its processes) per delivered message: CPU % of a core x 10,000 / delivered per second. */
  static void cpuPerDelivered(JsonObject r) {
    Object cpu = r.getValue("server_cpu_pct");
    Object rate = r.getValue("delivered_per_s");
    if (cpu instanceof Number && rate instanceof Number && ((Number) rate).doubleValue() > 0) {
      double us = ((Number) cpu).doubleValue() * 10_000 / ((Number) rate).doubleValue();
      r.put("server_cpu_us_per_delivered", Math.round(us * 10) / 10.0);
    }
  }

  /** Other processes' CPU (percent of one core) during a measured round above which a comparison is not trusted. */
  static final double CONTENDED_PCT = 25;

  private static boolean contended(JsonObject r) {
    Object other = r.getValue("other_cpu_pct");
    return other instanceof Number && ((Number) other).doubleValue() > CONTENDED_PCT;
  }

  private static boolean complete(JsonObject r) {
    JsonObject check = r.getJsonObject("target_check", r.getJsonObject("delivery_check"));
    String measured = check == null ? "" : check.getString("measured", "");
    return measured.startsWith("every token delivered") && r.getLong("lost", 1L) == 0 && r.getLong("duplicates", 1L) == 0
        && r.getLong("out_of_order", 1L) == 0;
  }

  static Double ratio(Object a, Object b) {
    if (!(a instanceof Number) || !(b instanceof Number) || ((Number) b).doubleValue() == 0) {
      return null;
    }
    return Math.round(((Number) a).doubleValue() / ((Number) b).doubleValue() * 1000) / 1000.0;
  }

  /** The ratio lines printed after a scenario's two runs. */
  public static String render(JsonObject ours) {
    JsonObject all = ours == null ? null : ours.getJsonObject("vs_peers");
    if (all == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String peer : all.fieldNames()) {
      out.append(render(all.getJsonObject(peer), ours.getJsonObject("peer_checks").getJsonObject(peer),
          ours.getJsonObject("efficiency_checks").getJsonObject(peer)));
    }
    return out.toString();
  }

  private static String render(JsonObject ratios, JsonObject check, JsonObject efficiency) {
    StringBuilder out = new StringBuilder("ratio StreamHub/" + ratios.getString("peer") + ":");
    for (String[] f : FIGURES) {
      out.append(' ').append(f[0]).append(' ').append(Table.format(ratios.getValue(f[1]))).append(',');
    }
    out.setLength(out.length() - 1);
    out.append(" (delivered/s higher is better; latency, RSS and CPU lower is better)\n");
    out.append(String.format(Locale.ROOT, "peer target: %s -- goal: %s -- %s%n", check.getString("measured"), check.getString("goal"),
        check.getBoolean("met") ? "met" : "MISSED"));
    if (efficiency != null) {
      out.append(String.format(Locale.ROOT, "efficiency target: %s -- goal: %s -- %s%n", efficiency.getString("measured"),
          efficiency.getString("goal"), efficiency.getBoolean("met") ? "met" : "MISSED"));
    }
    out.append(System.lineSeparator());
    return out.toString();
  }
}
