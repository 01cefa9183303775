package dev.streamhub.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The publish API's answer written by hand is the text Jackson writes for the same receipt. */
class ReceiptTest {

  private static Event event(String stream, long offset, EventType type) {
    return new Event(stream, offset, type, new JsonObject().put("text", "x"), 1_700_000_000_000_000L);
  }

  @Test
  void handWrittenReceiptIsJacksonsText() {
    String stream = "st_AbCdEfGhIjKlMnOpQrStUv";
    List<List<Event>> cases = List.of(
        List.of(event(stream, 0, EventType.DELTA)),
        List.of(event(stream, 41, EventType.DELTA), event(stream, 42, EventType.USAGE), event(stream, 43, EventType.DONE)),
        List.of(event(stream, 9_007_199_254_740_993L, EventType.ERROR)));
    for (List<Event> written : cases) {
      assertEquals(Publisher.receipt(stream, written).encode(), Publisher.receiptText(stream, written));
    }
    assertEquals("{\"stream\":\"" + stream + "\",\"first_offset\":41,\"next_offset\":44,\"finished\":true}",
        Publisher.receiptText(stream, cases.get(1)));
  }

  @Test
  void anIdOfAnotherShapeIsEscapedByJackson() {
    String odd = "not\"a/stream";
    List<Event> written = List.of(event(odd, 3, EventType.DELTA));
    assertEquals(Publisher.receipt(odd, written).encode(), Publisher.receiptText(odd, written));
  }
}
