package dev.streamhub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unpaired surrogates are found, described, replaced or escaped; an event's wire form never holds one. */
class Utf16Test {

  @Test
  void findsTheFirstUnpairedSurrogateOnly() {
    assertEquals(-1, Utf16.loneSurrogate("a\u00e9\u20ac\ud83d\ude00z"));
    assertEquals(-1, Utf16.loneSurrogate(""));
    assertEquals(1, Utf16.loneSurrogate("A\ud83d"));
    assertEquals(0, Utf16.loneSurrogate("\ude00B"));
    assertEquals(1, Utf16.loneSurrogate("A\ud83dB\ude00"));
    assertEquals(2, Utf16.loneSurrogate("\ud83d\ude00\ud83d\ud83d\ude00"));
  }

  @Test
  void describesWhereInAJsonValueTheSurrogateIs() {
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "ok"))
        .add(new JsonObject().put("content", new JsonArray().add(new JsonObject().put("text", "x\udc00"))));
    assertEquals("messages[1].content[0].text has an unpaired UTF-16 surrogate U+DC00 at index 1 (JSON text must be"
        + " well-formed Unicode: write the pair, or the character itself)", Utf16.describeLoneSurrogate(messages, "messages"));
    assertEquals("d key '\ud800' has an unpaired UTF-16 surrogate U+D800 at index 0 (JSON text must be"
        + " well-formed Unicode: write the pair, or the character itself)", Utf16.describeLoneSurrogate(new JsonObject().put("\ud800", 1), "d"));
    assertNull(Utf16.describeLoneSurrogate(new JsonObject().put("t", "\ud83d\ude00").put("n", 1), "d"));
  }

  @Test
  void replacesOrEscapesEveryUnpairedSurrogateAndNothingElse() {
    String s = "\ude00A\ud83d\ude00\ud83dB\ud83d";
    assertEquals("\uFFFDA\ud83d\ude00\uFFFDB\uFFFD", Utf16.replaceLoneSurrogates(s));
    assertEquals("\\uDE00A\ud83d\ude00\\uD83DB\\uD83D", Utf16.escapeLoneSurrogates(s));
    String clean = "a\ud83d\ude00";
    assertSame(clean, Utf16.replaceLoneSurrogates(clean));
    assertSame(clean, Utf16.escapeLoneSurrogates(clean));
  }

  @Test
  void anEventsWireFormEscapesAnUnpairedSurrogateInsteadOfLosingIt() {
    Event delta = new Event("st_x", 0, EventType.DELTA, new JsonObject(Map.of("text", "A\ud83d")), 1);
    Event usage = new Event("st_x", 1, EventType.USAGE, new JsonObject().put("note", "\ude00B"), 1);

    assertEquals("{\"stream\":\"st_x\",\"offset\":0,\"type\":\"delta\",\"data\":{\"text\":\"A\\uD83D\"},\"ts\":1}", delta.wire());
    assertEquals("{\"stream\":\"st_x\",\"offset\":1,\"type\":\"usage\",\"data\":{\"note\":\"\\uDE00B\"},\"ts\":1}", usage.wire());
    assertEquals("A\ud83d", new JsonObject(delta.wire()).getJsonObject("data").getString("text"));
    assertEquals("A\ud83d", delta.data().getString("text"));
    String paired = new Event("st_x", 2, EventType.DELTA, new JsonObject(Map.of("text", "\ud83d\ude00")), 1).wire();
    assertEquals(-1, new String(paired.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).indexOf('?'));
    assertEquals("\ud83d\ude00", new JsonObject(paired).getJsonObject("data").getString("text"));
  }
}
