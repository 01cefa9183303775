package dev.streamhub.bench.measure;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one shard measured: publish-to-receive latencies (microseconds, HdrHistogram with 3
 * significant digits), a timeline of delivered tokens in 100 ms buckets and one latency histogram
 * per second of receive time (for the per-second p50/p99 timelines). Single-threaded;
 * shards' recorders are merged on the main thread at the end.
 */
public final class Recorder {

  public static final long BUCKET_MICROS = 100_000;

  private final long originMicros;
  /** Events appended after their reader's subscription was open: the live path. */
  private final Histogram live = new Histogram(3);
  /** Every delta, including those appended before the reader connected (replayed from the log). */
  private final Histogram all = new Histogram(3);
  /** Relay mode: from the load generator's own send time (carried in the event's data) to receive. */
  private final Histogram endToEnd = new Histogram(3);
  private long[] buckets = new long[600];
  /** Per second since the origin (by receive time): the live and the end-to-end latencies. */
  private final List<Histogram> liveBySecond = new ArrayList<>();
  private final List<Histogram> endToEndBySecond = new ArrayList<>();
  private long catchUp;
  private long negative;

  public Recorder(long originMicros) {
    this.originMicros = originMicros;
  }

  /**
   * One delivered token.
   *
   * @param openedAtMicros when the reader's response started; a token published before it was
   *     read from the log, not delivered live, and its "latency" is partly the reader's lateness
   */
  public void token(long ts, long atMicros, long openedAtMicros) {
    long latency = atMicros - ts;
    if (latency < 0) {
      negative++;
      latency = 0;
    }
    all.recordValue(latency);
    if (ts >= openedAtMicros) {
      live.recordValue(latency);
      second(liveBySecond, atMicros).recordValue(latency);
    } else {
      catchUp++;
    }
    int bucket = (int) Math.max(0, (atMicros - originMicros) / BUCKET_MICROS);
    if (bucket >= buckets.length) {
      long[] bigger = new long[Math.max(bucket + 1, buckets.length * 2)];
      System.arraycopy(buckets, 0, bigger, 0, buckets.length);
      buckets = bigger;
    }
    buckets[bucket]++;
  }

  /** The end-to-end latency of one token the load generator published itself at {@code sentMicros}. */
  public void sent(long sentMicros, long atMicros) {
    long latency = Math.max(0, atMicros - sentMicros);
    endToEnd.recordValue(latency);
    second(endToEndBySecond, atMicros).recordValue(latency);
  }

  private Histogram second(List<Histogram> bySecond, long atMicros) {
    int second = (int) Math.max(0, (atMicros - originMicros) / 1_000_000);
    while (bySecond.size() <= second) {
      bySecond.add(null);
    }
    Histogram h = bySecond.get(second);
    if (h == null) {
      h = new Histogram(3);
      bySecond.set(second, h);
    }
    return h;
  }

  private static void mergeBySecond(List<Histogram> into, List<Histogram> from) {
    for (int i = 0; i < from.size(); i++) {
      Histogram h = from.get(i);
      if (h == null) {
        continue;
      }
      while (into.size() <= i) {
        into.add(null);
      }
      if (into.get(i) == null) {
        into.set(i, h.copy());
      } else {
        into.get(i).add(h);
      }
    }
  }

  public void merge(Recorder other) {
    if (other.originMicros != originMicros) {
      throw new IllegalArgumentException("recorders with different origins");
    }
    live.add(other.live);
    all.add(other.all);
    endToEnd.add(other.endToEnd);
    mergeBySecond(liveBySecond, other.liveBySecond);
    mergeBySecond(endToEndBySecond, other.endToEndBySecond);
    catchUp += other.catchUp;
    negative += other.negative;
    if (other.buckets.length > buckets.length) {
      long[] bigger = new long[other.buckets.length];
      System.arraycopy(buckets, 0, bigger, 0, buckets.length);
      buckets = bigger;
    }
    for (int i = 0; i < other.buckets.length; i++) {
      buckets[i] += other.buckets[i];
    }
  }

  public Histogram live() {
    return live;
  }

  public Histogram all() {
    return all;
  }

  public Histogram endToEnd() {
    return endToEnd;
  }

  public long tokens() {
    return all.getTotalCount();
  }

  public long catchUp() {
    return catchUp;
  }

  /** Latencies below zero (clock stepped), recorded as 0. */
  public long negative() {
    return negative;
  }

  public long originMicros() {
    return originMicros;
  }

  /** Tokens delivered in {@code [fromMicros, toMicros)}, at bucket resolution (whole buckets inside the window). */
  public long tokensBetween(long fromMicros, long toMicros) {
    int first = (int) Math.max(0, ceilDiv(fromMicros - originMicros, BUCKET_MICROS));
    int end = (int) Math.min(buckets.length, (toMicros - originMicros) / BUCKET_MICROS);
    long sum = 0;
    for (int i = first; i < end; i++) {
      sum += buckets[i];
    }
    return sum;
  }

  /** The exact window {@link #tokensBetween} counts over, in seconds. */
  public static double windowSeconds(long originMicros, long fromMicros, long toMicros) {
    long first = Math.max(0, ceilDiv(fromMicros - originMicros, BUCKET_MICROS));
    long end = (toMicros - originMicros) / BUCKET_MICROS;
    return Math.max(0, end - first) * BUCKET_MICROS / 1e6;
  }

  /** Tokens delivered in each whole second since the origin. */
  public long[] perSecond() {
    int perSecond = (int) (1_000_000 / BUCKET_MICROS);
    int last = buckets.length - 1;
    while (last >= 0 && buckets[last] == 0) {
      last--;
    }
    long[] seconds = new long[(last + perSecond) / perSecond];
    for (int i = 0; i <= last; i++) {
      seconds[i / perSecond] += buckets[i];
    }
    return seconds;
  }

  /**
   * The given percentile of each whole second's latencies (by receive time) in milliseconds, as
   * long as {@link #perSecond()}; {@code null} for a second without any. End to end when the load
   * generator published itself (relay mode), else live (the hub's ts to receive): the same latency
   * as the headline {@code p50_ms}/{@code p99_ms}.
   */
  public Double[] latencyPerSecondMs(double percentile) {
    List<Histogram> bySecond = endToEnd.getTotalCount() > 0 ? endToEndBySecond : liveBySecond;
    Double[] out = new Double[perSecond().length];
    for (int i = 0; i < out.length && i < bySecond.size(); i++) {
      Histogram h = bySecond.get(i);
      if (h != null && h.getTotalCount() > 0) {
        out[i] = h.getValueAtPercentile(percentile) / 1000.0;
      }
    }
    return out;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
