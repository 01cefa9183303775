package dev.streamhub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamIdsTest {

  @Test
  void newIdsHaveTheShapeTheCheckAccepts() {
    for (int i = 0; i < 1000; i++) {
      String id = StreamIds.next();
      assertEquals(25, id.length(), id);
      assertTrue(id.matches("st_[A-Za-z0-9_-]{22}"), id);
      assertTrue(StreamIds.looksValid(id), id);
    }
  }

  @Test
  void anythingElseIsRefused() {
    String good = "st_AbCdEfGhIjKlMnOpQrS_-"; // 24 characters: one short of an id
    assertEquals(25, (good + "9").length());
    assertTrue(StreamIds.looksValid(good + "9"));
    assertFalse(StreamIds.looksValid(null));
    assertFalse(StreamIds.looksValid(""));
    assertFalse(StreamIds.looksValid(good), "one character short");
    assertFalse(StreamIds.looksValid(good + "99"), "one character long");
    assertFalse(StreamIds.looksValid("ST_AbCdEfGhIjKlMnOpQrS_-9"), "prefix is case-sensitive");
    assertFalse(StreamIds.looksValid("sx_AbCdEfGhIjKlMnOpQrS_-9"));
    for (char bad : new char[] {'+', '/', '=', '.', ' ', '%', 'é', '\u0000', '\uD83D'}) {
      assertFalse(StreamIds.looksValid(good + bad), "character U+" + Integer.toHexString(bad));
    }
  }
}
