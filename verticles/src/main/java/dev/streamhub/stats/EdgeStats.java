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
 * however it closes. Sessions also count per transport the events they delivered and the reads that
 * resumed past offset 0; the transports count the bytes they wrote. {@code GET /metrics} and the node
 * card of {@code GET /v1/cluster} read the same counters. A leaf package, so that the node card
 * ({@code cluster}) can read it without depending on the transports.
 */
public final class EdgeStats {

  private final LongAdder streamBytesWritten = new LongAdder();
  private final LongAdder streamBytesHeld = new LongAdder();
  private final Map<String, LongAdder> connections = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> bytes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> resumes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> replayed = new ConcurrentHashMap<>();

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

  /**
   * Adds bytes handed to a client connection of {@code transport} (SSE events, heartbeats and the
   * retry hint; WebSocket frames), before compression.
   */
  public void wrote(String transport, int count) {
    streamBytesWritten.add(count);
    add(bytes, transport, count);
  }

  /** Bytes handed to client connections so far, every transport together, before compression. */
  public long streamBytesWritten() {
    return streamBytesWritten.sum();
  }

  /**
   * Bytes handed to a client connection ({@code +bytes}) or taken from it by the kernel socket
   * ({@code -bytes}, when the write completes): what the hub itself holds for slow clients.
   */
  public void held(int delta) {
    streamBytesHeld.add(delta);
  }

  /**
   * Bytes the hub holds now for client connections: handed to them and not yet taken by the
   * kernel socket (what {@code http_write_queue_bytes} bounds per client, give or take one event).
   */
  public long streamBytesHeld() {
    return streamBytesHeld.sum();
  }

  /** Bytes handed to client connections of {@code transport} so far. */
  public long bytesWritten(String transport) {
    return sum(bytes, transport);
  }

  /** One stream event delivered to a reader of {@code transport} (replayed from the log or live). */
  public void delivered(String transport) {
    add(events, transport, 1);
  }

  /** Stream events delivered to readers of {@code transport} so far. */
  public long eventsDelivered(String transport) {
    return sum(events, transport);
  }

  /**
   * {@code count} events read from the log for a reader of {@code transport}, rather than taken
   * live: a reader's catch-up at its start, after a full write queue drained, or after a gap (a
   * compact read's merged deltas count one each).
   */
  public void replayed(String transport, int count) {
    add(replayed, transport, count);
  }

  /** Events read from the log for readers of {@code transport} so far. */
  public long replayed(String transport) {
    return sum(replayed, transport);
  }

  /**
   * A reader of {@code transport} opened past offset 0: a client resuming ({@code Last-Event-ID},
   * a WebSocket resubscription, every long-poll after the first).
   */
  public void resumed(String transport) {
    add(resumes, transport, 1);
  }

  /** Readers of {@code transport} opened past offset 0 so far. */
  public long resumes(String transport) {
    return sum(resumes, transport);
  }

  private static void add(Map<String, LongAdder> counters, String transport, long delta) {
    counters.computeIfAbsent(transport, t -> new LongAdder()).add(delta);
  }

  private static long sum(Map<String, LongAdder> counters, String transport) {
    LongAdder count = counters.get(transport);
    return count == null ? 0 : count.sum();
  }
}
