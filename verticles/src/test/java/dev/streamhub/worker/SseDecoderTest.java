package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SseDecoder} against WHATWG HTML 9.2.6 "Interpreting an event stream", one rule per test.
 * Every input is fed whole, one byte at a time, and cut in two at every position, and must decode
 * the same way each time (a CRLF or a multi-byte character split between two chunks included).
 */
class SseDecoderTest {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** What a decoder made of {@code body}, fed in every way; fails if two ways disagree. */
  private static Decoded decode(byte[] body) {
    List<Decoded> ways = new ArrayList<>();
    ways.add(feed(List.of(body)));
    List<byte[]> bytes = new ArrayList<>();
    for (byte b : body) {
      bytes.add(new byte[] {b});
    }
    ways.add(feed(bytes));
    for (int cut = 0; cut <= body.length; cut++) {
      byte[] head = new byte[cut];
      byte[] tail = new byte[body.length - cut];
      System.arraycopy(body, 0, head, 0, cut);
      System.arraycopy(body, cut, tail, 0, tail.length);
      ways.add(feed(List.of(head, tail)));
    }
    for (Decoded way : ways) {
      assertEquals(ways.get(0), way);
    }
    return ways.get(0);
  }

  private static Decoded decode(String body) {
    return decode(body.getBytes(StandardCharsets.UTF_8));
  }

  private static Decoded feed(List<byte[]> chunks) {
    List<SseEvent> events = new ArrayList<>();
    boolean[] overflow = new boolean[1];
    SseDecoder decoder = new SseDecoder(64, events::add, () -> overflow[0] = true);
    chunks.forEach(chunk -> decoder.handle(Buffer.buffer(chunk)));
    return new Decoded(events, decoder.lastEventId(), decoder.retryMs(), overflow[0]);
  }

  record Decoded(List<SseEvent> events, String lastEventId, long retryMs, boolean overflow) {}

  private static SseEvent message(String data) {
    return new SseEvent("message", data, "");
  }

  @Test
  void crlfLfAndCrAllEndALineAndMayBeMixed() {
    List<SseEvent> expected = List.of(message("a"), message("b"), message("c"), message("d\ne"));
    assertEquals(expected, decode("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\rdata: e\n\r\n").events());
    assertEquals(List.of(message("x"), message("y")), decode("data: x\r\r\ndata: y\n\r").events(), "CR, then CRLF, is two line ends");
  }

  @Test
  void oneLeadingByteOrderMarkIsDroppedAndNoOther() {
    byte[] body = ("data: a\n\n\uFEFFdata: b\n\ndata: c\n\n").getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[body.length + 3];
    System.arraycopy(BOM, 0, withBom, 0, 3);
    System.arraycopy(body, 0, withBom, 3, body.length);
    assertEquals(List.of(message("a"), message("c")), decode(withBom).events(), "a BOM later on makes the field name '\\uFEFFdata'");
    byte[] twoBoms = new byte[withBom.length + 3];
    System.arraycopy(BOM, 0, twoBoms, 0, 3);
    System.arraycopy(withBom, 0, twoBoms, 3, withBom.length);
    assertEquals(List.of(message("c")), decode(twoBoms).events());
  }

  @Test
  void oneSpaceAfterTheColonIsDroppedAndOnlyOne() {
    assertEquals(List.of(message("a"), message(" b"), message(""), message("c: d")), decode("data:a\n\ndata:  b\n\ndata:\n\ndata: c: d\n\n").events());
  }

  @Test
  void aLineWithoutAColonIsAFieldWithAnEmptyValue() {
    assertEquals(List.of(message(""), message("\n")), decode("data\n\ndata\ndata\n\n").events());
    assertEquals(List.of(new SseEvent("message", "x", "")), decode("event\ndata: x\n\n").events());
  }

  @Test
  void commentsAreIgnoredAnywhere() {
    assertEquals(List.of(message("a\nb")), decode(": first\ndata: a\n:\n: data: no\ndata: b\n\n: last\n\n").events());
  }

  @Test
  void dataLinesAreJoinedByLineFeedsWithTheLastRemoved() {
    assertEquals(List.of(message("{\"a\":\n1}"), message("\n\n")), decode("data: {\"a\":\ndata: 1}\n\ndata\ndata\ndata\n\n").events());
  }

  @Test
  void eventSetsTheTypeOfOneEventOnly() {
    assertEquals(List.of(new SseEvent("ping", "1", ""), message("2"), new SseEvent("error", "3", "")),
        decode("event: ping\ndata: 1\n\ndata: 2\n\nevent: x\nevent: error\ndata: 3\n\n").events());
  }

  @Test
  void anEmptyLineDispatchesOnlyWhenThereIsData() {
    assertEquals(List.of(new SseEvent("message", "a", "3")), decode("event: lonely\n\n\n\nid: 3\n\ndata: a\n\n").events());
    assertEquals("3", decode("id: 3\n\n").lastEventId(), "an event without data still sets the last event id");
  }

  @Test
  void idSetsTheLastEventIdUnlessItHoldsNul() {
    Decoded decoded = decode("id: 7\ndata: a\n\nid: 8\u0000\ndata: b\n\nid\ndata: c\n\n");
    assertEquals(List.of(new SseEvent("message", "a", "7"), new SseEvent("message", "b", "7"), new SseEvent("message", "c", "")),
        decoded.events());
    assertEquals("", decoded.lastEventId());
  }

  @Test
  void retryTakesAsciiDigitsOnly() {
    assertEquals(1500, decode("retry: 1500\n\n").retryMs());
    assertEquals(1500, decode("retry: 1500\nretry: 15x\nretry: +2\nretry: \u0661\nretry:\nretry: 2.5\n\n").retryMs());
    assertEquals(-1, decode("retry: -1\n\n").retryMs());
    assertEquals(List.of(message("a")), decode("retry: 9\ndata: a\n\n").events(), "retry is not data");
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertEquals(List.of(message("a")), decode("foo: bar\nDATA: no\ndata: a\n\n").events());
  }

  @Test
  void anEventTheBodyEndsInsideIsNotDispatched() {
    assertEquals(List.of(message("a")), decode("data: a\n\ndata: b\n").events());
    assertEquals(List.of(message("a")), decode("data: a\n\ndata: b").events());
  }

  @Test
  void utf8IsDecodedWholeWhereverAChunkEndsAndMalformedBytesBecomeReplacementCharacters() {
    assertEquals(List.of(message("a\u00e9\u20ac\ud83d\ude00")), decode("data: a\u00e9\u20ac\ud83d\ude00\n\n").events());
    byte[] body = {'d', 'a', 't', 'a', ':', (byte) 0xFF, 'x', '\n', '\n'};
    assertEquals(List.of(message("\uFFFDx")), decode(body).events());
  }

  @Test
  void aLineOverTheLimitStopsDecoding() {
    List<byte[]> bytes = new ArrayList<>();
    for (byte b : ("data: a\n\ndata: " + "x".repeat(100) + "\n\ndata: b\n\n").getBytes(StandardCharsets.UTF_8)) {
      bytes.add(new byte[] {b});
    }
    Decoded decoded = feed(bytes);
    assertTrue(decoded.overflow());
    assertEquals(List.of(message("a")), decoded.events());
  }

  @Test
  void anEventOverTheLimitStopsDecodingToo() {
    Decoded decoded = feed(List.of(("data: a\n\n" + "data: xxxxxxxxx\n".repeat(10) + "\ndata: b\n\n").getBytes(StandardCharsets.UTF_8)));
    assertTrue(decoded.overflow());
    assertEquals(List.of(message("a")), decoded.events());
  }
}
