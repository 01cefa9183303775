package dev.streamhub.limits.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import dev.streamhub.limits.Limiter;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The operations of {@link HazelcastLimiter}, each run by the member owning the key; deterministic, so backups replay them. */
final class LimitProcessors {

  private LimitProcessors() {}

  /** Fixed-window take: value {@code [windowStart, used]}; replies {@code [granted, used, retryAfterMs]}. */
  public static final class Take implements EntryProcessor<String, long[], long[]>, DataSerializable {
    private long amount;
    private long limit;
    private long windowMs;
    private long now;

    public Take() {}

    Take(long amount, long limit, long windowMs, long now) {
      this.amount = amount;
      this.limit = limit;
      this.windowMs = windowMs;
      this.now = now;
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
      long start = Limiter.windowStart(now, windowMs);
      long[] window = entry.getValue();
      long used = window == null || window[0] != start ? 0 : window[1];
      long granted = Math.max(0, Math.min(amount, limit - used));
      if (granted > 0 || window == null || window[0] != start) {
        ((ExtendedMapEntry<String, long[]>) entry).setValue(new long[] {start, used + granted}, 2 * windowMs, TimeUnit.MILLISECONDS);
      }
      return new long[] {granted, used + granted, start + windowMs - now};
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(amount);
      out.writeLong(limit);
      out.writeLong(windowMs);
      out.writeLong(now);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      amount = in.readLong();
      limit = in.readLong();
      windowMs = in.readLong();
      now = in.readLong();
    }
  }

  /** Holds a slot when fewer than {@code limit} are held. */
  public static final class Acquire implements EntryProcessor<String, Long, Boolean>, DataSerializable {
    private long limit;

    public Acquire() {}

    Acquire(long limit) {
      this.limit = limit;
    }

    @Override
    public Boolean process(Map.Entry<String, Long> entry) {
      long held = entry.getValue() == null ? 0 : entry.getValue();
      if (held >= limit) {
        return false;
      }
      entry.setValue(held + 1);
      return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(limit);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      limit = in.readLong();
    }
  }

  /** Gives a slot back; the entry goes when none is held. */
  public static final class Release implements EntryProcessor<String, Long, Boolean>, DataSerializable {

    public Release() {}

    @Override
    public Boolean process(Map.Entry<String, Long> entry) {
      long held = entry.getValue() == null ? 0 : entry.getValue();
      entry.setValue(held <= 1 ? null : held - 1);
      return held > 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }
}
