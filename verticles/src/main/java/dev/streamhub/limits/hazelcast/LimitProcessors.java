package dev.streamhub.limits.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import dev.streamhub.limits.Limiter;
import java.io.IOException;
import java.util.HashMap;
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

  /** The slots held of a key: the sum over its holders. */
  static long total(Map<String, Long> holders) {
    long sum = 0;
    if (holders != null) {
      for (long held : holders.values()) {
        sum += held;
      }
    }
    return sum;
  }

  /** {@code holders} with {@code delta} added to {@code holder}'s count; null when nobody holds any. */
  static HashMap<String, Long> plus(Map<String, Long> holders, String holder, long delta) {
    HashMap<String, Long> next = holders == null ? new HashMap<>() : new HashMap<>(holders);
    long held = next.getOrDefault(holder, 0L) + delta;
    if (held <= 0) {
      next.remove(holder);
    } else {
      next.put(holder, held);
    }
    return next.isEmpty() ? null : next;
  }

  /** Holds a slot for {@code holder} (a member) when fewer than {@code limit} are held in all. */
  public static final class Acquire implements EntryProcessor<String, HashMap<String, Long>, Boolean>, DataSerializable {
    private long limit;
    private String holder;

    public Acquire() {}

    Acquire(long limit, String holder) {
      this.limit = limit;
      this.holder = holder;
    }

    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Long>> entry) {
      if (total(entry.getValue()) >= limit) {
        return false;
      }
      entry.setValue(plus(entry.getValue(), holder, 1));
      return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(limit);
      out.writeString(holder);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      limit = in.readLong();
      holder = in.readString();
    }
  }

  /**
   * Gives back a slot of the first of {@code holders} that has one (this member, then the one that
   * acquired it); none: nothing (its holder left and its slots went with it).
   */
  public static final class Release implements EntryProcessor<String, HashMap<String, Long>, Boolean>, DataSerializable {
    private String[] holders;

    public Release() {}

    Release(String... holders) {
      this.holders = holders;
    }

    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Long>> entry) {
      HashMap<String, Long> held = entry.getValue();
      for (String holder : holders) {
        if (holder != null && held != null && held.getOrDefault(holder, 0L) > 0) {
          entry.setValue(plus(held, holder, -1));
          return true;
        }
      }
      return false;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeStringArray(holders);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      holders = in.readStringArray();
    }
  }

  /** Moves one slot from {@code from} to {@code to}, when {@code from} still has one. */
  public static final class Adopt implements EntryProcessor<String, HashMap<String, Long>, Boolean>, DataSerializable {
    private String from;
    private String to;

    public Adopt() {}

    Adopt(String from, String to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Long>> entry) {
      HashMap<String, Long> held = entry.getValue();
      if (held == null || held.getOrDefault(from, 0L) <= 0) {
        return false;
      }
      entry.setValue(plus(plus(held, from, -1), to, 1));
      return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(from);
      out.writeString(to);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      from = in.readString();
      to = in.readString();
    }
  }

  /** Drops every slot {@code holder} held: it left the cluster, with the connections and generations they counted. */
  public static final class Drop implements EntryProcessor<String, HashMap<String, Long>, Long>, DataSerializable {
    private String holder;

    public Drop() {}

    Drop(String holder) {
      this.holder = holder;
    }

    @Override
    public Long process(Map.Entry<String, HashMap<String, Long>> entry) {
      HashMap<String, Long> held = entry.getValue();
      if (held == null || !held.containsKey(holder)) {
        return 0L;
      }
      long dropped = held.get(holder);
      HashMap<String, Long> next = new HashMap<>(held);
      next.remove(holder);
      entry.setValue(next.isEmpty() ? null : next);
      return dropped;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(holder);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      holder = in.readString();
    }
  }
}
