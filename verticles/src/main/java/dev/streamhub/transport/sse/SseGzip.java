package dev.streamhub.transport.sse;

import dev.streamhub.transport.PrimedDeflater;
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
 * one deflater per event loop compresses every write of every response, each write a
 * {@link PrimedDeflater} run. The runs form one deflate stream in one gzip member (RFC 1952):
 * header, the runs, an empty final block, CRC-32 and length.
 *
 * <p>Setting {@code Content-Encoding: gzip} on the response keeps Vert.x's compressor out of it.
 */
final class SseGzip {

  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};

  private final PrimedDeflater deflater;
  private final CRC32 crc = new CRC32();
  private long size;
  private boolean started;

  SseGzip(PrimedDeflater.Shared shared) {
    this.deflater = new PrimedDeflater(shared);
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
    Buffer wire = Buffer.buffer(input.length / 2 + 32);
    if (!started) {
      started = true;
      wire.appendBytes(HEADER);
    }
    deflater.deflate(input, wire::appendBytes);
    return wire;
  }

  /** The end of the gzip member: an empty final block, the CRC-32 and the length of what was sent. */
  Buffer finish() {
    Buffer wire = Buffer.buffer(32);
    if (!started) {
      started = true;
      wire.appendBytes(HEADER);
    }
    deflater.finish(wire::appendBytes);
    return wire.appendIntLE((int) crc.getValue()).appendIntLE((int) size);
  }
}
