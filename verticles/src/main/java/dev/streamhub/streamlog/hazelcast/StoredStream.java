package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream as the value of the log map: its meta and a ring of its newest events. Only the entry
 * processors of {@link LogProcessors} touch it, on the partition thread that owns the stream (and
 * the same processors replay each change on the backup), so it needs no locking.
 */
public final class StoredStream implements DataSerializable {

  /** Appends remembered for retries: a writer has at most a few in flight per stream. */
  static final int RECENT_APPENDS = 32;

  private StreamMeta created;
  private int capacity;
  private Event[] ring;
  private long first;
  private long next;
  private long finishedAt;
  /** The last appends, by request id: their first offset and size (see {@link #append}). */
  private LinkedHashMap<String, long[]> recent = new LinkedHashMap<>();

  /** For Hazelcast's deserialization. */
  public StoredStream() {}

  StoredStream(StreamMeta created, int capacity) {
    this.created = created;
    this.capacity = capacity;
    this.ring = new Event[Math.min(16, capacity)];
  }

  /**
   * Appends {@code events} stamped {@code nowMicros}, or throws without changing anything. The
   * outcome depends only on the current state and the arguments, so the backup replays it exactly.
   *
   * <p>Idempotent per {@code requestId}: when a member dies after applying an append (and its
   * backup) but before answering, Hazelcast retries the operation on the promoted backup, which
   * already holds the batch; the retry then gets the stored events back instead of a second copy.
   */
  List<Event> append(String requestId, List<NewEvent> events, long nowMicros) {
    long[] done = recent.get(requestId);
    if (done != null && done[0] >= first) {
      return read(done[0], (int) done[1]).events();
    }
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
    recent.put(requestId, new long[] {stored[0].offset(), stored.length});
    if (recent.size() > RECENT_APPENDS) {
      recent.remove(recent.keySet().iterator().next());
    }
    return List.of(stored);
  }

  ReadResult read(long from, int max) {
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

  StreamMeta meta() {
    return created.withRange(first, next, finishedAt);
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

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(LogProcessors.metaJson(created).encode());
    out.writeInt(capacity);
    out.writeLong(first);
    out.writeLong(next);
    out.writeLong(finishedAt);
    out.writeInt(ring.length);
    for (long o = first; o < next; o++) {
      out.writeString(ring[slot(o)].toJson().encode());
    }
    out.writeInt(recent.size());
    for (Map.Entry<String, long[]> e : recent.entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue()[0]);
      out.writeLong(e.getValue()[1]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    created = LogProcessors.metaFromJson(new JsonObject(in.readString()));
    capacity = in.readInt();
    first = in.readLong();
    next = in.readLong();
    finishedAt = in.readLong();
    ring = new Event[in.readInt()];
    for (long o = first; o < next; o++) {
      ring[slot(o)] = Event.fromJson(new JsonObject(in.readString()));
    }
    recent = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      recent.put(in.readString(), new long[] {in.readLong(), in.readLong()});
    }
  }
}
