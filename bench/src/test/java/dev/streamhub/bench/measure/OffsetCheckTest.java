package dev.streamhub.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OffsetCheckTest {

  private static OffsetCheck receive(long from, long... offsets) {
    OffsetCheck check = new OffsetCheck(from);
    for (long o : offsets) {
      check.accept(o);
    }
    return check;
  }

  @Test
  void contiguousOffsetsAreClean() {
    OffsetCheck check = receive(0, 0, 1, 2, 3);
    assertEquals(4, check.next());
    assertEquals(0, check.lost() + check.duplicates() + check.outOfOrder());
  }

  @Test
  void aGapIsLostUntilItsOffsetsArriveLate() {
    OffsetCheck check = receive(0, 0, 3);
    assertEquals(2, check.lost());
    check.accept(1);
    assertEquals(1, check.lost());
    assertEquals(1, check.outOfOrder());
  }

  @Test
  void aRepeatedOffsetIsADuplicate() {
    OffsetCheck check = receive(5, 5, 6, 6, 5, 7);
    assertEquals(2, check.duplicates());
    assertEquals(0, check.lost());
    assertEquals(3, check.received());
  }
}
