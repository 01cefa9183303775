package dev.streamhub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EventTest {

  /**
   * What every transport sends must stay exactly what Jackson wrote for {@code toJson()}, except
   * that an unpaired surrogate, which Jackson writes as is (and UTF-8 then as {@code ?}), is its
   * {@code \}{@code uXXXX} escape: the same JSON value.
   */
  private static void assertWireIsJacksons(Event event) {
    assertEquals(Utf16.escapeLoneSurrogates(event.toJson().encode()), event.wire());
    assertEquals(event.toJson(), new JsonObject(event.wire()));
  }

  @Nested
  class WireForm {

    @Test
    void deltaTextsAreEscapedExactlyAsJacksonEscapesThem() {
      List<String> texts = new ArrayList<>(List.of("", " token", "\"quoted\"", "back\\slash", "a/b", "tab\there",
          "line\nbreak\r\n", "\b\f", "\u0000\u0001\u001f\u007f", "caf\u00e9 \u4e2d\u6587 \ud83d\ude00", "\ud800 lone", "\u2028\u2029",
          "</script>", "'single'"));
      StringBuilder everyChar = new StringBuilder();
      for (char c = 0; c < 256; c++) {
        everyChar.append(c);
      }
      texts.add(everyChar.toString());
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 2000; i++) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(12);
        for (int j = 0; j < length; j++) {
          s.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
        }
        texts.add(s.toString());
      }
      for (String text : texts) {
        Event event = NewEvent.delta(text).at("st_abc", 12, 1_700_000_000_123_456L);
        assertWireIsJacksons(event);
        assertEquals(text, event.data().getString("text"));
        assertEquals(new JsonObject().put("text", text), event.data());
      }
    }

    @Test
    void everyOtherShapeOfDataGoesThroughJackson() {
      assertWireIsJacksons(NewEvent.usage(3, 5).at("st_x", 0, 1));
      assertWireIsJacksons(NewEvent.done("stop").at("st_x", 7, 0));
      assertWireIsJacksons(NewEvent.error(new HubException(ErrorCode.BAD_REQUEST, "no \"way\"\n")).at("st_x", 1, 2));
      assertWireIsJacksons(NewEvent.cancelled("client").at("st_x", Long.MAX_VALUE, Long.MIN_VALUE));
      assertWireIsJacksons(new Event("st_x", 1, EventType.DELTA, new JsonObject().put("text", 5), 3));
      assertWireIsJacksons(new Event("st_x", 1, EventType.DELTA, new JsonObject().put("text", "a").put("more", true), 3));
      assertWireIsJacksons(new Event("st_x", 1, EventType.DELTA, new JsonObject().put("txt", "a"), 3));
      assertWireIsJacksons(new Event("st_x", 1, EventType.DELTA, new JsonObject().putNull("text"), 3));
      assertWireIsJacksons(new Event("st_x", 1, EventType.DELTA, new JsonObject(), 3));
      assertWireIsJacksons(new Event("st_x", 2, EventType.BINARY,
          new JsonObject().put("bytes", Buffer.buffer(new byte[] {0, 1, (byte) 255})).put("list", new JsonArray().add(1.5).add("x")), 4));
    }

    @Test
    void streamIdsAreEscapedToo() {
      assertWireIsJacksons(NewEvent.delta("x").at("st_\"odd\\\n", 0, 0));
    }
  }

  /** What one node passes another ({@link Event#writeTo}, {@link Event#readFrom}): the same event, wire text and all. */
  @Nested
  class BetweenNodes {

    @Test
    void everyKindOfEventComesBackEqualWithTheSameWireTextAndData() {
      List<Event> events = List.of(
          NewEvent.delta(" plain").at("st_a", 0, 11),
          NewEvent.delta("needs \"escapes\"\n and caf\u00e9 \ud83d\ude00").at("st_a", 1, 12),
          NewEvent.delta("").at("st_a", 2, 13),
          NewEvent.delta(null).at("st_a", 3, 14),
          new NewEvent(EventType.DELTA, new JsonObject().put("text", "x").put("extra", 1)).at("st_a", 4, 15),
          NewEvent.usage(3, 4).at("st_a", 5, 16),
          new NewEvent(EventType.BINARY, new JsonObject().put("base64", "AAEC")).at("st_a", 6, 17),
          NewEvent.done("stop").at("st_a", 7, 18));
      Buffer buffer = Buffer.buffer().appendString("prefix");
      events.forEach(e -> e.writeTo(buffer));
      int[] at = {"prefix".length()};
      for (Event sent : events) {
        Event received = Event.readFrom("st_a", buffer, at);
        assertEquals(sent.wire(), received.wire());
        assertEquals(sent.offset(), received.offset());
        assertEquals(sent.ts(), received.ts());
        assertEquals(sent.type(), received.type());
        assertEquals(sent.data(), received.data());
        assertEquals(sent.plainDeltaText(), received.plainDeltaText());
        assertWireIsJacksons(received);
      }
      assertEquals(buffer.length(), at[0]);
    }
  }
}
