package dev.streamhub.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class VariantComparisonTest {

  private static JsonObject record(String variant, String store, String auth, long rate, double p99) {
    return new JsonObject().put("variant", variant).put("store", store).put("auth", auth).put("delivered_per_s", rate)
        .put("p99_ms", p99).put("lost", 0L).put("incomplete", 0L);
  }

  @Test
  void cpuPerTokenIsCpuTimeOverDeliveredTokens() {
    JsonObject measured = new JsonObject().put("delivered_per_s", 50_000L).put("server_cpu_pct", 100.0).put("redis_cpu_pct", 25.0);
    VariantComparison.perToken(measured);
    assertEquals(20.0, measured.getDouble("hub_cpu_us_per_token"));
    assertEquals(5.0, measured.getDouble("redis_cpu_us_per_token"));
    assertEquals(25.0, measured.getDouble("hub_redis_cpu_us_per_token"));
    JsonObject memory = new JsonObject().put("delivered_per_s", 40_000L).put("server_cpu_pct", 80.0);
    VariantComparison.perToken(memory);
    assertNull(memory.getValue("redis_cpu_us_per_token"));
    assertEquals(20.0, memory.getDouble("hub_redis_cpu_us_per_token"));
  }

  @Test
  void redisNeedsHalfTheMemoryThroughputAndP99Under50Ms() {
    JsonObject memory = record("store=memory", "memory", null, 50_000, 20);
    JsonObject redis = record("store=redis", "redis", null, 25_000, 49.9);
    VariantComparison.compare(List.of(memory, redis));
    assertNull(memory.getValue("variant_check"));
    assertEquals(0.5, redis.getJsonObject("variant_check").getDouble("delivered_ratio"));
    assertEquals("store=memory", redis.getJsonObject("variant_check").getString("baseline"));
    assertTrue(redis.getJsonObject("variant_check").getBoolean("met"));

    JsonObject slow = record("store=redis", "redis", null, 25_000, 50.0);
    VariantComparison.compare(List.of(memory, slow));
    assertFalse(slow.getJsonObject("variant_check").getBoolean("met"));
  }

  @Test
  void authOnMustStayWithinTenPercentOfOffInThroughputAndP99() {
    JsonObject off = record("auth=off", null, "off", 50_000, 40);
    JsonObject on = record("auth=on", null, "on", 45_000, 44);
    VariantComparison.compare(List.of(off, on));
    assertEquals(0.9, on.getJsonObject("variant_check").getDouble("delivered_ratio"));
    assertEquals(1.1, on.getJsonObject("variant_check").getDouble("p99_ratio"));
    assertTrue(on.getJsonObject("variant_check").getBoolean("met"));

    JsonObject lossy = record("auth=on", null, "on", 50_000, 40).put("lost", 3L);
    VariantComparison.compare(List.of(off, lossy));
    assertFalse(lossy.getJsonObject("variant_check").getBoolean("met"));
    assertFalse(lossy.getJsonObject("variant_check").getBoolean("every_token_delivered"));

    JsonObject slower = record("auth=on", null, "on", 44_000, 40);
    VariantComparison.compare(List.of(off, slower));
    assertFalse(slower.getJsonObject("variant_check").getBoolean("met"));
  }
}
