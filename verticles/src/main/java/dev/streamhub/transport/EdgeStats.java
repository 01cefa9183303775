package dev.streamhub.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one hub's edge, shared by its edge verticles: what the operations issue exports as
 * metrics, and what tests read to check that a slow client costs the hub bounded memory.
 */
public final class EdgeStats {

  private final LongAdder streamBytesWritten = new LongAdder();

  /** Adds bytes handed to a client connection (SSE events and heartbeats, WebSocket frames). */
  public void wrote(int bytes) {
    streamBytesWritten.add(bytes);
  }

  /** Bytes handed to client connections so far, before compression. */
  public long streamBytesWritten() {
    return streamBytesWritten.sum();
  }
}
