package dev.streamhub.bench.measure;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** Percentiles of a latency histogram recorded in microseconds, reported in milliseconds. */
public record LatencySummary(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs, double meanMs) {

  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new LatencySummary(
        micros.getTotalCount(),
        ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(99)),
        ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()),
        Math.round(micros.getMean()) / 1000.0);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  /** Puts {@code p50_ms}, {@code p99_ms}, {@code p999_ms}, {@code max_ms}, {@code mean_ms} with {@code prefix}. */
  public JsonObject into(JsonObject json, String prefix) {
    return json
        .put(prefix + "p50_ms", num(p50Ms))
        .put(prefix + "p99_ms", num(p99Ms))
        .put(prefix + "p999_ms", num(p999Ms))
        .put(prefix + "max_ms", num(maxMs))
        .put(prefix + "mean_ms", num(meanMs));
  }

  private static Double num(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
