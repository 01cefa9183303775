package dev.streamhub.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one hub's edge, shared by its edge verticles: what the operations issue exports as
 * metrics, and what tests read to check that a slow client costs the hub bounded memory.
 */
public final class EdgeStats {

  private final LongAdder streamBytesWritten = new LongAdder();
  private final LongAdder connections = new LongAdder();

  /** A client connection opened (+1) or closed (-1). */
  public void connection(int delta) {
    connections.add(delta);
  }

  /** Client connections open now. */
  public long connections() {
    return connections.sum();
  }

  /** Adds bytes handed to a client connection (SSE events and heartbeats, WebSocket frames). */
  public void wrote(int bytes) {
    streamBytesWritten.add(bytes);
  }

  /** Bytes handed to client connections so far, before compression. */
  public long streamBytesWritten() {
    return streamBytesWritten.sum();
  }
}
