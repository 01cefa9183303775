package dev.streamhub.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class PeerComparisonTest {

  private static JsonObject record(String target, long rate, double p99) {
    return new JsonObject().put("target", target).put("delivered_per_s", rate).put("p99_ms", p99).put("p50_ms", 2.0)
        .put("lost", 0L).put("duplicates", 0L).put("out_of_order", 0L).put("server_rss_mb", 100.0)
        .put("target_check", new JsonObject().put("measured", "every token delivered, p99 " + p99 + " ms").put("met", false));
  }

  @Test
  void ratiosAreOursOverThePeersAndTheTargetNeedsBothFigures() {
    JsonObject ours = record("streamhub", 20_000, 30.0);
    JsonObject theirs = record("nchan", 19_000, 20.0).put("server_rss_mb", 50.0);
    PeerComparison.attach(ours, theirs);
    assertEquals(1.053, ours.getJsonObject("vs_peer").getDouble("delivered_per_s"));
    assertEquals(1.5, ours.getJsonObject("vs_peer").getDouble("p99_ms"));
    assertEquals(2.0, ours.getJsonObject("vs_peer").getDouble("server_rss_mb"));
    assertNull(ours.getJsonObject("vs_peer").getValue("server_cpu_pct"));
    assertTrue(ours.getJsonObject("peer_check").getBoolean("delivered_met"));
    assertFalse(ours.getJsonObject("peer_check").getBoolean("p99_met"));
    assertFalse(ours.getJsonObject("peer_check").getBoolean("met"));
    assertNull(theirs.getJsonObject("target_check"));
    assertTrue(theirs.containsKey("delivery_check"));
  }

  @Test
  void metWhenFasterAndNoWorse() {
    JsonObject ours = record("streamhub", 20_000, 10.0);
    PeerComparison.attach(ours, record("nchan", 20_000, 10.0));
    assertTrue(ours.getJsonObject("peer_check").getBoolean("met"));
  }

  @Test
  void efficiencyNeedsEqualRatesNoWorseP99AndAtMostAQuarterMoreCpuPerDeliveredToken() {
    JsonObject ours = record("streamhub", 10_000, 5.0).put("server_cpu_pct", 37.5);
    JsonObject theirs = record("nchan", 10_030, 5.5).put("server_cpu_pct", 30.0);
    PeerComparison.attach(ours, theirs);
    assertEquals(37.5, ours.getDouble("server_cpu_us_per_delivered"));
    assertEquals(29.9, theirs.getDouble("server_cpu_us_per_delivered"));
    JsonObject check = ours.getJsonObject("efficiency_check");
    assertTrue(check.getBoolean("delivered_met"), check.encode());
    assertTrue(check.getBoolean("p99_met"), check.encode());
    assertEquals(1.254, ours.getJsonObject("vs_peer").getDouble("server_cpu_us_per_delivered"));
    assertFalse(check.getBoolean("cpu_met"), check.encode());
    assertFalse(check.getBoolean("met"));

    JsonObject leaner = record("streamhub", 10_000, 5.0).put("server_cpu_pct", 37.0);
    PeerComparison.attach(leaner, record("nchan", 10_030, 5.5).put("server_cpu_pct", 30.0));
    assertTrue(leaner.getJsonObject("efficiency_check").getBoolean("met"));

    JsonObject behind = record("streamhub", 9_900, 5.0).put("server_cpu_pct", 30.0);
    PeerComparison.attach(behind, record("nchan", 10_000, 5.5).put("server_cpu_pct", 30.0));
    assertFalse(behind.getJsonObject("efficiency_check").getBoolean("delivered_met"));
  }

  @Test
  void everyPeerOfARunIsKeptAndTheFirstIsTheSinglePeerForm() {
    JsonObject ours = record("streamhub", 10_000, 5.0).put("server_cpu_pct", 50.0);
    PeerComparison.attach(ours, record("nchan", 10_000, 4.0).put("server_cpu_pct", 30.0));
    PeerComparison.attach(ours, record("resumable-stream", 8_000, 4000.0).put("server_cpu_pct", 110.0));
    assertEquals("nchan", ours.getJsonObject("vs_peer").getString("peer"));
    assertEquals("nchan", ours.getJsonObject("peer_check").getString("peer"));
    assertEquals(java.util.Set.of("nchan", "resumable-stream"), ours.getJsonObject("vs_peers").fieldNames());
    assertTrue(ours.getJsonObject("peer_checks").getJsonObject("resumable-stream").getBoolean("met"));
    assertFalse(ours.getJsonObject("peer_checks").getJsonObject("nchan").getBoolean("met"));
    assertEquals(java.util.List.of("nchan", "resumable-stream"), PeerComparison.parse("nchan,resumable-stream"));
  }
}
