package dev.streamhub.streamlog;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import java.util.List;

/**
 * One stream's meta and a bounded ring of its newest events, with the rules of {@link StreamLog}:
 * contiguous offsets, one terminal event and last, {@code bad_offset} beyond the end,
 * {@code offset_expired} below what the ring keeps. Every store keeps its streams in one of these
 * and only decides where it lives and how concurrent callers reach it. Not thread-safe.
 */
public final class StreamRing {

  private final StreamMeta created;
  private final int capacity;
  private Event[] ring;
  private long first;
  private long next;
  private long finishedAt;

  public StreamRing(StreamMeta created, int capacity) {
    this.created = created;
    this.capacity = capacity;
    this.ring = new Event[Math.min(16, capacity)];
  }

  /** A ring as it was: {@code meta}'s range and the retained events, oldest first. */
  public static StreamRing restore(StreamMeta meta, int capacity, List<Event> retained) {
    StreamRing restored = new StreamRing(meta.withRange(0, 0, 0), capacity);
    restored.ring = new Event[Math.max(1, Math.max(retained.size(), Math.min(16, capacity)))];
    restored.first = meta.firstOffset();
    restored.next = meta.firstOffset();
    retained.forEach(restored::store);
    restored.finishedAt = meta.finishedAt();
    return restored;
  }

  /** Appends {@code events} stamped {@code nowMicros}, or throws without changing anything. */
  public List<Event> append(List<NewEvent> events, long nowMicros) {
    if (events.isEmpty()) {
      throw new HubException(ErrorCode.BAD_REQUEST, "nothing to append");
    }
    if (finishedAt != 0) {
      throw new HubException(ErrorCode.STREAM_FINISHED, "stream '" + created.id() + "' has ended");
    }
    for (int i = 0; i < events.size() - 1; i++) {
      if (events.get(i).type().isTerminal()) {
        throw new HubException(ErrorCode.BAD_REQUEST, "a terminal event must be the last of its stream");
      }
    }
    Event[] stored = new Event[events.size()];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = events.get(i).at(created.id(), next, nowMicros);
      store(stored[i]);
    }
    if (stored[stored.length - 1].type().isTerminal()) {
      finishedAt = Math.max(1, nowMicros / 1000);
    }
    return List.of(stored);
  }

  public ReadResult read(long from, int max) {
    if (from < 0 || from > next) {
      throw new HubException(ErrorCode.BAD_OFFSET,
          "offset " + from + " is outside the stream, which has offsets 0 to " + (next - 1));
    }
    if (from < first) {
      throw new HubException(ErrorCode.OFFSET_EXPIRED,
          "offset " + from + " has expired; the oldest retained offset is " + first);
    }
    int count = (int) Math.min(max, next - from);
    Event[] page = new Event[count];
    for (int i = 0; i < count; i++) {
      page[i] = ring[slot(from + i)];
    }
    return new ReadResult(List.of(page), from + count, finishedAt != 0);
  }

  public StreamMeta meta() {
    return created.withRange(first, next, finishedAt);
  }

  public int capacity() {
    return capacity;
  }

  /** Every retained event, oldest first. */
  public List<Event> retained() {
    return read(first, (int) (next - first)).events();
  }

  private void store(Event event) {
    if (next - first == ring.length) {
      if (ring.length < capacity) {
        Event[] bigger = new Event[(int) Math.min((long) ring.length * 2, capacity)];
        for (long o = first; o < next; o++) {
          bigger[(int) (o % bigger.length)] = ring[slot(o)];
        }
        ring = bigger;
      } else {
        ring[slot(first)] = null;
        first++;
      }
    }
    ring[slot(next)] = event;
    next++;
  }

  private int slot(long offset) {
    return (int) (offset % ring.length);
  }
}
