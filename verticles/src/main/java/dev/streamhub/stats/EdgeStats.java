package dev.streamhub.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one hub's edge, shared by its edge verticles: what the operations issue exports as
 * metrics, and what tests read to check that a slow client costs the hub bounded memory.
 *
 * <p>Connections are counted by the session layer ({@code dev.streamhub.session.Sessions}), once per
 * client connection that reads streams, by transport name ({@code sse}, {@code openai_sse},
 * {@code websocket}, {@code long_poll}, {@code completion}): +1 when it opens, -1 when it closes,
 * however it closes. A leaf package, so that the node card ({@code cluster}) can read it without
 * depending on the transports.
 */
public final class EdgeStats {

  private final LongAdder streamBytesWritten = new LongAdder();
  private final Map<String, LongAdder> connections = new ConcurrentHashMap<>();

  /** A client connection of {@code transport} opened (+1) or closed (-1). */
  public void connection(String transport, int delta) {
    connections.computeIfAbsent(transport, t -> new LongAdder()).add(delta);
  }

  /** Client connections open now, every transport together. */
  public long connections() {
    long sum = 0;
    for (LongAdder count : connections.values()) {
      sum += count.sum();
    }
    return sum;
  }

  /** Client connections of {@code transport} open now. */
  public long connections(String transport) {
    LongAdder count = connections.get(transport);
    return count == null ? 0 : count.sum();
  }

  /** Open connections by transport name, in name order (transports never used are absent). */
  public Map<String, Long> connectionsByTransport() {
    Map<String, Long> byTransport = new TreeMap<>();
    connections.forEach((transport, count) -> byTransport.put(transport, count.sum()));
    return byTransport;
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
