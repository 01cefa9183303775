package dev.streamhub.bench.measure;

import java.util.BitSet;

/**
 * The order check of one reader: offsets must arrive exactly once, in order, from the first one
 * asked for. A gap counts its offsets as lost until they arrive (then they are out of order
 * instead); an offset seen before is a duplicate.
 */
public final class OffsetCheck {

  private final long from;
  private final BitSet seen = new BitSet();
  private long next;
  private long lost;
  private long duplicates;
  private long outOfOrder;

  public OffsetCheck(long from) {
    this.from = from;
    this.next = from;
  }

  public void accept(long offset) {
    if (offset < from) {
      outOfOrder++;
      return;
    }
    int bit = Math.toIntExact(offset - from);
    if (seen.get(bit)) {
      duplicates++;
      return;
    }
    seen.set(bit);
    if (offset == next) {
      next++;
    } else if (offset > next) {
      lost += offset - next;
      next = offset + 1;
    } else {
      outOfOrder++;
      lost--;
    }
  }

  /** The offset expected next. */
  public long next() {
    return next;
  }

  /** Offsets skipped so far (below {@link #next()} and never received). */
  public long lost() {
    return lost;
  }

  public long duplicates() {
    return duplicates;
  }

  public long outOfOrder() {
    return outOfOrder;
  }

  public long received() {
    return seen.cardinality();
  }
}
