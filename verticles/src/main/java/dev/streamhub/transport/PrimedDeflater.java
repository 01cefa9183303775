package dev.streamhub.transport;

import java.util.zip.Deflater;

/**
 * Raw-deflate runs from one {@link Deflater} shared by every connection of an event loop, instead of
 * a zlib stream per connection (about 85-100 KB of native memory each, for a connection that may
 * sit idle for hours). Each run is primed with the last {@link #HISTORY} plain bytes its connection
 * sent (the client's inflater holds them in its window, so matches against them are valid) and
 * ended by a sync flush, so it is byte-aligned and decodes at once; successive runs form one deflate
 * stream. SSE gzip ({@code SseGzip}) and WebSocket permessage-deflate ({@code SharedDeflateEncoder})
 * frame these runs. Not thread safe: a connection's writes, and its event loop's {@link Shared},
 * stay on that event loop.
 */
public final class PrimedDeflater {

  /** Plain bytes a connection keeps to prime its next run's matches: a few events. */
  public static final int HISTORY = 1024;
  private static final byte[] NOTHING = new byte[0];

  /** The deflater and output buffer of one event loop. */
  public static final class Shared {
    private final Deflater deflater;
    private final byte[] out = new byte[8192];

    public Shared(int level) {
      this.deflater = new Deflater(level, true);
    }
  }

  /** Where deflated bytes go, chunk by chunk. */
  public interface Output {
    void write(byte[] bytes, int offset, int length);
  }

  private final Shared shared;
  private byte[] history = NOTHING;

  public PrimedDeflater(Shared shared) {
    this.shared = shared;
  }

  /** Deflates {@code input} as one sync-flushed run primed with this connection's history, then remembers it. */
  public void deflate(byte[] input, Output out) {
    Deflater deflater = shared.deflater;
    deflater.reset();
    if (history.length > 0) {
      deflater.setDictionary(history);
    }
    deflater.setInput(input);
    byte[] buffer = shared.out;
    int n;
    do {
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      out.write(buffer, 0, n);
    } while (n == buffer.length);
    remember(input);
  }

  /** An empty final block: the end of the deflate stream. */
  public void finish(Output out) {
    Deflater deflater = shared.deflater;
    deflater.reset();
    deflater.finish();
    byte[] buffer = shared.out;
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.reset();
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
