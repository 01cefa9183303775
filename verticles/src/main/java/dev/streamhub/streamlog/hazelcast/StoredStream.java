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
import dev.streamhub.streamlog.StreamRing;
import java.util.ArrayList;
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

  /** Appends remembered for retries: a member has at most half as many in flight per stream ({@link InFlightAppends}). */
  static final int RECENT_APPENDS = 32;

  private StreamRing ring;
  /** The last appends, by request id: their first offset and size (see {@link #append}). */
  private LinkedHashMap<String, long[]> recent = new LinkedHashMap<>();
  /** The highest writer epoch (fencing token) an append carried; 0 before any fenced append. */
  private long epoch;

  /** For Hazelcast's deserialization. */
  public StoredStream() {}

  StoredStream(StreamMeta created, int capacity) {
    this.ring = new StreamRing(created, capacity);
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
    return append(requestId, events, nowMicros, 0);
  }

  /**
   * As {@link #append(String, List, long)}, fenced: a writer {@code epoch} below the highest seen
   * is refused with {@code worker_lost} (its lease was taken over); 0 is an unfenced writer. The
   * check runs here, inside the entry processor, so no append of a fenced writer can slip in
   * between a check and the write.
   */
  List<Event> append(String requestId, List<NewEvent> events, long nowMicros, long writerEpoch) {
    long[] done = recent.get(requestId);
    if (done != null && done[0] >= ring.meta().firstOffset()) {
      return read(done[0], (int) done[1]).events();
    }
    if (writerEpoch != 0 && writerEpoch < epoch) {
      throw new HubException(ErrorCode.WORKER_LOST, "the lease of stream '" + ring.meta().id() + "' moved from epoch "
          + writerEpoch + " to " + epoch + "; this writer may append nothing more");
    }
    List<Event> stored = ring.append(events, nowMicros);
    epoch = Math.max(epoch, writerEpoch);
    recent.put(requestId, new long[] {stored.get(0).offset(), stored.size()});
    if (recent.size() > RECENT_APPENDS) {
      recent.remove(recent.keySet().iterator().next());
    }
    return stored;
  }

  ReadResult read(long from, int max) {
    return ring.read(from, max);
  }

  StreamMeta meta() {
    return ring.meta();
  }

  /** The highest writer epoch an append carried (0 before any fenced append). */
  long epoch() {
    return epoch;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(LogProcessors.metaJson(ring.meta()).encode());
    out.writeInt(ring.capacity());
    List<Event> retained = ring.retained();
    out.writeInt(retained.size());
    for (Event event : retained) {
      out.writeString(event.wire());
    }
    out.writeInt(recent.size());
    for (Map.Entry<String, long[]> e : recent.entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue()[0]);
      out.writeLong(e.getValue()[1]);
    }
    out.writeLong(epoch);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    StreamMeta meta = LogProcessors.metaFromJson(new JsonObject(in.readString()));
    int capacity = in.readInt();
    List<Event> retained = new ArrayList<>();
    for (int i = in.readInt(); i > 0; i--) {
      retained.add(Event.fromJson(new JsonObject(in.readString())));
    }
    ring = StreamRing.restore(meta, capacity, retained);
    recent = new LinkedHashMap<>();
    for (int i = in.readInt(); i > 0; i--) {
      recent.put(in.readString(), new long[] {in.readLong(), in.readLong()});
    }
    epoch = in.readLong();
  }
}
