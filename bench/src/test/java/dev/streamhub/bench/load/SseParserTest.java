package dev.streamhub.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private final List<String> events = new ArrayList<>();
  private final SseParser parser = new SseParser((id, type, data) -> events.add(id + "|" + type + "|" + data));

  private void feed(String text) {
    parser.feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesTheHubsFramesCutAtEveryByte() {
    String wire = "retry: 2000\n\nid: 0\nevent: delta\ndata: {\"offset\":0,\"ts\":12}\n\n: heartbeat\n\nid: 1\nevent: done\ndata: {}\n\n";
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(new byte[] {b});
    }
    assertEquals(List.of("0|delta|{\"offset\":0,\"ts\":12}", "1|done|{}"), events);
    assertEquals(2000, parser.retryMs());
    assertEquals(1, parser.comments());
  }

  @Test
  void acceptsCrLfAndCrLineEndsAndJoinsDataLines() {
    feed("data: a\r\ndata: b\r\n\r\ndata:c\rid: 7\r\r");
    assertEquals(List.of("null|message|a\nb", "7|message|c"), events);
  }

  @Test
  void keepsMultiByteCharactersSplitAcrossChunks() {
    byte[] bytes = "data: caf\u00e9 \u2603\n\n".getBytes(StandardCharsets.UTF_8);
    parser.feed(bytes, 0, 10);
    parser.feed(bytes, 10, bytes.length - 10);
    assertEquals(List.of("null|message|caf\u00e9 \u2603"), events);
  }

  @Test
  void doesNotCarryAnIdOverToTheNextEvent() {
    feed("id: 3\ndata: x\n\ndata: y\n\nevent: ping\n\n");
    assertEquals(List.of("3|message|x", "null|message|y"), events);
  }

  @Test
  void readsTsFromTheEndOfTheEventJson() {
    assertEquals(1795456706838188L, EventFields.ts("{\"stream\":\"st_x\",\"offset\":0,\"type\":\"delta\",\"data\":{\"text\":\"\\\"ts\\\":5\"},\"ts\":1795456706838188}"));
    assertEquals(-1, EventFields.ts("{\"offset\":1}"));
    assertEquals(42, EventFields.offset("42"));
    assertEquals(-1, EventFields.offset(null));
    assertEquals(-1, EventFields.offset("4x"));
  }

  @Test
  void readsOffsetAndTypeOfAWebSocketEventBeforeItsPayload() {
    String ws = "{\"stream\":\"st_x\",\"offset\":17,\"type\":\"delta\",\"data\":{\"type\":\"x\",\"offset\":3},\"ts\":99}";
    assertEquals(17, EventFields.firstNumber(ws, "offset"));
    assertEquals("delta", EventFields.firstString(ws, "type"));
    assertEquals(99, EventFields.ts(ws));
    assertEquals("stream.unsubscribed", EventFields.firstString("{\"type\":\"stream.unsubscribed\",\"next\":4}", "type"));
    assertEquals(-1, EventFields.firstNumber("{\"type\":\"pong\"}", "offset"));
  }
}
