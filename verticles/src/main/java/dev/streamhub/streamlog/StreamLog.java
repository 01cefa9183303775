package dev.streamhub.streamlog;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import java.util.List;

/**
 * The sent-offset log: every event of every stream, addressed by offset. Every store (memory,
 * hazelcast, redis) implements this interface and passes {@code StreamLogContract}.
 *
 * <p>Invariants every store keeps:
 * <ul>
 *   <li>Offsets of a stream are contiguous from 0 and assigned atomically by {@link #append}:
 *       concurrent appenders get disjoint ranges, no offset is skipped or reused.</li>
 *   <li>A stream holds at most one terminal event, and it is the last. Appending to a finished
 *       stream fails with {@code stream_finished}; a batch with a terminal event anywhere but last
 *       fails with {@code bad_request} and appends nothing.</li>
 *   <li>Append-then-publish: callers publish events on the event bus only after {@code append}
 *       succeeded, so anything a client saw live is already readable here.</li>
 *   <li>Reading below the retained range fails with {@code offset_expired}, never a silent skip;
 *       reading beyond {@code nextOffset} fails with {@code bad_offset}; an unknown (or fully
 *       expired) stream fails with {@code stream_not_found}.</li>
 * </ul>
 */
public interface StreamLog {

  /** Registers a new, empty stream. Fails with {@code bad_request} if the id is taken. */
  Future<StreamMeta> create(StreamMeta meta);

  /**
   * Appends {@code events} (at least one) to the end of {@code stream}, stamping each with its
   * offset and the append time.
   *
   * @return the events as stored (and as every later read returns them): the first at the old end
   *     of the stream, the others contiguously after it
   */
  Future<List<Event>> append(String stream, List<NewEvent> events);

  /**
   * A fenced append: as {@link #append(String, List)}, by a writer holding the stream's lease at
   * {@code epoch} (1 for the worker that generates the stream, higher for whoever took the lease
   * over; 0 for an unfenced writer). A store whose writers can be cut off from each other (the
   * cluster store) checks it inside the append and refuses, with {@code worker_lost}, an epoch
   * lower than the highest it has seen for the stream: a worker whose lease moved while it was
   * partitioned away appends nothing more. A store that lives in one process has a single writer per
   * stream and ignores it.
   */
  default Future<List<Event>> append(String stream, List<NewEvent> events, long epoch) {
    return append(stream, events);
  }

  /** Up to {@code max} events from offset {@code from} on; an empty page when {@code from == nextOffset}. */
  Future<ReadResult> read(String stream, long from, int max);

  /** The stream's owner, model and retained range. */
  Future<StreamMeta> meta(String stream);

  /**
   * Drops what retention no longer keeps: streams finished longer ago than the configured time and
   * streams older than the configured maximum age. Stores with native expiry may do nothing.
   *
   * @return how many streams were dropped
   */
  Future<Integer> expire();

  Future<Void> close();

  /**
   * The readiness hook: succeeds when the store answers now, fails with {@code store_unavailable}
   * when it cannot be reached (bounded by the store's timeout, never hanging). {@code /health/ready}
   * calls it so a node whose store is down leaves the load balancer; {@code /health/live} does not.
   * A real round trip, as cheap as it can be (Hazelcast: a read of an absent key from its partition
   * owner; Redis: {@code PING}). A store in this JVM's heap is always reachable: the default succeeds.
   */
  default Future<Void> ping() {
    return Future.succeededFuture();
  }
}
