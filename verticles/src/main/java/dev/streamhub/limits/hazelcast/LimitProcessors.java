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

  /**
   * One change to a key's slots {@code {memberUuid: count}}, run by the member owning the key. Its
   * {@link Kind} says which; every kind replies a count:
   * <ul>
   *   <li>{@code ACQUIRE}: holds a slot for {@code holders[0]} when fewer than {@code limit} are
   *       held in all; 1, or 0 when none was free.</li>
   *   <li>{@code RELEASE}: gives back a slot of the first of {@code holders} that has one (the
   *       limiter passes one: the holder that has the slot); 1, or 0 when none had one (its holder
   *       left and its slots went with it).</li>
   *   <li>{@code ADOPT}: moves one slot from {@code holders[0]} to {@code holders[1]} when the
   *       first still has one; 1 or 0.</li>
   *   <li>{@code DROP}: drops every slot {@code holders[0]} held (it left the cluster, with the
   *       connections and generations they counted); how many.</li>
   * </ul>
   */
  public static final class Slots implements EntryProcessor<String, HashMap<String, Long>, Long>, DataSerializable {

    enum Kind { ACQUIRE, RELEASE, ADOPT, DROP }

    private Kind kind;
    private long limit;
    private String[] holders;

    public Slots() {}

    private Slots(Kind kind, long limit, String... holders) {
      this.kind = kind;
      this.limit = limit;
      this.holders = holders;
    }

    static Slots acquire(long limit, String holder) {
      return new Slots(Kind.ACQUIRE, limit, holder);
    }

    static Slots release(String... holders) {
      return new Slots(Kind.RELEASE, 0, holders);
    }

    static Slots adopt(String from, String to) {
      return new Slots(Kind.ADOPT, 0, from, to);
    }

    static Slots drop(String holder) {
      return new Slots(Kind.DROP, 0, holder);
    }

    @Override
    public Long process(Map.Entry<String, HashMap<String, Long>> entry) {
      HashMap<String, Long> held = entry.getValue();
      switch (kind) {
        case ACQUIRE:
          if (total(held) >= limit) {
            return 0L;
          }
          entry.setValue(plus(held, holders[0], 1));
          return 1L;
        case RELEASE:
          for (String holder : holders) {
            if (holder != null && count(held, holder) > 0) {
              entry.setValue(plus(held, holder, -1));
              return 1L;
            }
          }
          return 0L;
        case ADOPT:
          if (count(held, holders[0]) <= 0) {
            return 0L;
          }
          entry.setValue(plus(plus(held, holders[0], -1), holders[1], 1));
          return 1L;
        default: // DROP
          long dropped = count(held, holders[0]);
          if (dropped > 0) {
            entry.setValue(plus(held, holders[0], -dropped));
          }
          return dropped;
      }
    }

    private static long count(Map<String, Long> held, String holder) {
      return held == null ? 0 : held.getOrDefault(holder, 0L);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(kind.ordinal());
      out.writeLong(limit);
      out.writeStringArray(holders);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      kind = Kind.values()[in.readInt()];
      limit = in.readLong();
      holders = in.readStringArray();
    }
  }
}
