package dev.streamhub.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

class ClassHistogramTest {

  @Test
  void growthByClassPerConnection() {
    ClassHistogram before = ClassHistogram.parse("123:\n num     #instances         #bytes  class name (module)\n"
        + "-------------------------------------------------------\n"
        + "   1:           100           4000  [B (java.base@17.0.15)\n"
        + "   2:            10            240  java.lang.String (java.base@17.0.15)\n"
        + "Total           110           4240\n");
    ClassHistogram after = ClassHistogram.parse(
        "   1:          1100          84000  [B (java.base@17.0.15)\n"
        + "   2:            10            240  java.lang.String (java.base@17.0.15)\n"
        + "   3:          1000          48000  io.netty.channel.DefaultChannelPipeline\n");
    JsonArray growth = after.growthSince(before, 2, 1000);
    assertEquals("[B", growth.getJsonObject(0).getString("class"));
    assertEquals(80.0, growth.getJsonObject(0).getDouble("bytes_per_connection"));
    assertEquals(1.0, growth.getJsonObject(1).getDouble("instances_per_connection"));
    assertEquals(132240, after.totalBytes());
  }
}
