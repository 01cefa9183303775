package dev.streamhub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.transport.PrimedDeflater;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * gzip from one shared deflater: each response's bytes are one valid gzip member, every write
 * decodes as soon as it arrives, responses interleaved on one deflater do not see each other's
 * bytes, and the history a response keeps makes repeated SSE framing cheap.
 */
class SseGzipTest {

  private static final String EVENT = "id: %d\nevent: delta\ndata: {\"stream\":\"st_abcdefghijklmnopqrstu\",\"offset\":%d,"
      + "\"type\":\"delta\",\"data\":{\"text\":\" token %d\"}}\n\n";

  @Test
  void interleavedResponsesOnOneDeflaterEachDecodeToWhatTheyWrote() throws IOException, DataFormatException {
    PrimedDeflater.Shared shared = new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION);
    SseGzip a = new SseGzip(shared);
    SseGzip b = new SseGzip(shared);
    Wire wireA = new Wire();
    Wire wireB = new Wire();
    StringBuilder plainA = new StringBuilder();
    StringBuilder plainB = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      String ea = i == 0 ? "retry: 2000\n\n" : String.format(EVENT, i, i, i);
      String eb = i % 7 == 0 ? ": heartbeat\n\n" : "x".repeat(i * 13 % 3000) + "\n\n";
      plainA.append(ea);
      plainB.append(eb);
      wireA.received(a.compress(Buffer.buffer(ea)));
      wireB.received(b.compress(Buffer.buffer(eb)));
      assertEquals(plainA.toString(), wireA.decodedSoFar(), "response A decodes as it arrives, write " + i);
      assertEquals(plainB.toString(), wireB.decodedSoFar(), "response B decodes as it arrives, write " + i);
    }
    wireA.received(a.finish());
    wireB.received(b.finish());

    assertEquals(plainA.toString(), gunzip(wireA.bytes()));
    assertEquals(plainB.toString(), gunzip(wireB.bytes()));
  }

  @Test
  void aResponseThatWroteNothingStillEndsAsAValidGzipMember() throws IOException {
    SseGzip gzip = new SseGzip(new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION));
    assertEquals("", gunzip(gzip.finish().getBytes()));
  }

  @Test
  void theHistoryMakesTheNextSimilarEventSmall() {
    SseGzip gzip = new SseGzip(new PrimedDeflater.Shared(Deflater.DEFAULT_COMPRESSION));
    int first = gzip.compress(Buffer.buffer(String.format(EVENT, 1, 1, 1))).length();
    int second = gzip.compress(Buffer.buffer(String.format(EVENT, 2, 2, 2))).length();
    assertTrue(second * 3 < first, "first event " + first + " bytes, the next " + second);
  }

  @Test
  void acceptsGzipOnlyWithANonZeroQuality() {
    for (String yes : new String[] {"gzip", "GZIP", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8", "*", "x-gzip", "deflate, *;q=0.1"}) {
      assertTrue(SseGzip.accepted(yes), yes);
    }
    for (String no : new String[] {null, "", "identity", "deflate", "br", "gzip;q=0", "*;q=0", "*, gzip;q=0", "gzip;q=zero"}) {
      assertFalse(SseGzip.accepted(no), String.valueOf(no));
    }
  }

  /** What a client has received, and an inflater that decodes it as it comes (after the 10-byte header). */
  private static final class Wire {
    private byte[] bytes = new byte[0];
    private final Inflater inflater = new Inflater(true);
    private final StringBuilder decoded = new StringBuilder();
    private int fed;

    void received(Buffer chunk) {
      byte[] more = chunk.getBytes();
      byte[] all = Arrays.copyOf(bytes, bytes.length + more.length);
      System.arraycopy(more, 0, all, bytes.length, more.length);
      bytes = all;
    }

    String decodedSoFar() throws DataFormatException {
      int from = Math.max(fed, 10);
      inflater.setInput(bytes, from, bytes.length - from);
      fed = bytes.length;
      byte[] out = new byte[65536];
      int n;
      while ((n = inflater.inflate(out)) > 0) {
        decoded.append(new String(out, 0, n, StandardCharsets.ISO_8859_1));
      }
      return decoded.toString();
    }

    byte[] bytes() {
      return bytes;
    }
  }

  private static String gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
