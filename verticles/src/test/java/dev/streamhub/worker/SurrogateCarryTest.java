package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pair split across deltas is rejoined; a surrogate that finds no partner becomes U+FFFD. */
class SurrogateCarryTest {

  private static List<String> run(String... deltas) {
    SurrogateCarry carry = new SurrogateCarry();
    List<String> out = new ArrayList<>();
    for (String delta : deltas) {
      out.add(carry.next(delta));
    }
    out.add(carry.flush());
    return out;
  }

  @Test
  void aHighSurrogateEndingADeltaIsCarriedIntoTheNext() {
    assertEquals(List.of("A", "\ud83d\ude00B", ""), run("A\ud83d", "\ude00B"));
    assertEquals(List.of("", "", "\ud83d\ude00", ""), run("\ud83d", "", "\ude00"));
    assertEquals(List.of("x", "\ud83d\ude00", "\ud83c\udf89", ""), run("x\ud83d", "\ude00\ud83c", "\udf89"));
  }

  @Test
  void aSurrogateWithNoPartnerBecomesTheReplacementCharacter() {
    assertEquals(List.of("\uFFFDB", ""), run("\ude00B"));
    assertEquals(List.of("A", "\uFFFDB", ""), run("A\ud83d", "B"));
    assertEquals(List.of("A", "\uFFFD"), run("A\ud83d"));
    assertEquals(List.of("\uFFFD\ud83d\ude00", ""), run("\ud83d\ud83d\ude00"));
  }
}
