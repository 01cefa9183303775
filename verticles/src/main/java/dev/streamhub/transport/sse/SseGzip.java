package dev.streamhub.transport.sse;

import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip for one SSE response without a zlib stream of its own.
 *
 * <p>Vert.x's compressor gives every gzip'd response its own {@link Deflater} for the response's
 * whole life: about 85 KB of native memory per SSE connection a browser holds open (browsers always
 * send {@code Accept-Encoding: gzip}), where the rest of an idle connection costs about 6 KB. Here
 * one deflater per event loop ({@link Shared}) compresses every write of every response: each write
 * is a fresh raw-deflate run, primed with the last {@link #HISTORY} bytes this response sent (the
 * client's inflater holds them in its window, so matches against them are valid) and ended by a
 * sync flush, so it is byte-aligned and decodes at once. The runs form one deflate stream in one
 * gzip member (RFC 1952): header, the runs, an empty final block, CRC-32 and length.
 *
 * <p>Setting {@code Content-Encoding: gzip} on the response keeps Vert.x's compressor out of it.
 */
final class SseGzip {

  /** Plain bytes a response keeps to prime the next write's matches: a few SSE events. */
  static final int HISTORY = 1024;
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};
  private static final byte[] NOTHING = new byte[0];

  /** The deflater and output buffer of one event loop. Not thread safe. */
  static final class Shared {
    private final Deflater deflater;
    private final byte[] out = new byte[8192];

    Shared(int level) {
      this.deflater = new Deflater(level, true);
    }
  }

  private final Shared shared;
  private final CRC32 crc = new CRC32();
  private long size;
  private byte[] history = NOTHING;
  private boolean started;

  SseGzip(Shared shared) {
    this.shared = shared;
  }

  /** True when {@code acceptEncoding} accepts gzip (or {@code *}) with a non-zero quality. */
  static boolean accepted(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    float gzip = -1;
    float any = -1;
    for (String part : acceptEncoding.split(",")) {
      String[] params = part.split(";");
      String coding = params[0].trim().toLowerCase(Locale.ROOT);
      float q = 1;
      for (int i = 1; i < params.length; i++) {
        String param = params[i].trim();
        if (param.startsWith("q=")) {
          try {
            q = Float.parseFloat(param.substring(2));
          } catch (NumberFormatException bad) {
            q = 0;
          }
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        gzip = Math.max(gzip, q);
      } else if (coding.equals("*")) {
        any = q;
      }
    }
    return gzip > 0 || (gzip < 0 && any > 0);
  }

  /** The gzip bytes of {@code plain}, decodable by the client as soon as they arrive. */
  Buffer compress(Buffer plain) {
    byte[] input = plain.getBytes();
    crc.update(input);
    size += input.length;
    Deflater deflater = shared.deflater;
    deflater.reset();
    if (history.length > 0) {
      deflater.setDictionary(history);
    }
    deflater.setInput(input);
    Buffer wire = Buffer.buffer(input.length / 2 + 32);
    if (!started) {
      started = true;
      wire.appendBytes(HEADER);
    }
    byte[] out = shared.out;
    int n;
    do {
      n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
      wire.appendBytes(out, 0, n);
    } while (n == out.length);
    remember(input);
    return wire;
  }

  /** The end of the gzip member: an empty final block, the CRC-32 and the length of what was sent. */
  Buffer finish() {
    Buffer wire = Buffer.buffer(32);
    if (!started) {
      started = true;
      wire.appendBytes(HEADER);
    }
    Deflater deflater = shared.deflater;
    deflater.reset();
    deflater.finish();
    byte[] out = shared.out;
    while (!deflater.finished()) {
      wire.appendBytes(out, 0, deflater.deflate(out));
    }
    deflater.reset();
    return wire.appendIntLE((int) crc.getValue()).appendIntLE((int) size);
  }

  /** Keeps the last {@link #HISTORY} plain bytes sent. */
  private void remember(byte[] input) {
    int keep = Math.min(HISTORY, history.length + input.length);
    byte[] next = keep == history.length ? history : new byte[keep];
    int fromInput = Math.min(input.length, keep);
    int fromHistory = keep - fromInput;
    System.arraycopy(history, history.length - fromHistory, next, 0, fromHistory);
    System.arraycopy(input, input.length - fromInput, next, fromHistory, fromInput);
    history = next;
  }
}
