package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operations of {@link HazelcastStreamLog}, each an entry processor run by the member that owns
 * the stream's entry. Replies are JSON text: {@code {"error": code, "message": ...}} for a refusal,
 * otherwise what the operation returns. The processors that change a stream are deterministic
 * (the append time travels with the request), so Hazelcast replays them on the backup as they are.
 */
public final class LogProcessors {

  private LogProcessors() {}

  /**
   * What every processor that writes or serves a stream does first (the one place for it): on the
   * owner, refuse for want of a quorum ({@link OwnerQuorum}), else take the owner's fingerprint of
   * the stream as found ({@link ReplicaCheck}), for the backups to compare; on a backup's copy
   * ({@link #replica}), check that its copy is the one the owner processed, which throws
   * {@link ReplicaCheck.Diverged} (no acknowledgement) when it is not. Subclasses serialize the
   * fields themselves, in their own order (the wire format of each processor is unchanged).
   */
  abstract static class Checked implements EntryProcessor<String, StoredStream, String>, HazelcastInstanceAware {
    /** The log map's name, for a backup's replica sync request. */
    String map;
    /** True on the backup's copy, which replays what the owner decided once its copy is the owner's ({@link ReplicaCheck}). */
    boolean replica;
    /** On the backup's copy: the owner's fingerprint of the stream before the operation. */
    String ownerState;
    transient HazelcastInstance instance;
    /** The owner refused for want of a quorum (a state the backup does not share: nothing to replay). */
    transient boolean refused;
    /** On the owner: its fingerprint of the stream as this run found it. */
    transient String before;

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
      this.instance = instance;
    }

    /**
     * The preamble on {@code copy}, this replica's value of the entry: the refusal to reply with, or
     * null to go on. The same processor object may run again (the store's retries), so it decides
     * afresh each time.
     */
    final String admit(String stream, StoredStream copy, String operation) {
      String noQuorum = replica ? null : OwnerQuorum.refusal(instance, stream);
      refused = noQuorum != null;
      if (refused) {
        return noQuorum;
      }
      if (replica) {
        ReplicaCheck.verify(instance, map, stream, ownerState, copy, operation);
      } else {
        before = ReplicaCheck.fingerprint(copy);
      }
      return null;
    }
  }

  /** Creates the stream unless its id is taken. */
  public static final class Create extends Checked implements DataSerializable {
    private StreamMeta meta;
    private int capacity;

    public Create() {}

    Create(StreamMeta meta, int capacity, String map) {
      this.meta = meta;
      this.capacity = capacity;
      this.map = map;
    }

    /** Nothing to replay when the owner refused for want of a quorum (a state the backup does not share). */
    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      if (refused) {
        return null;
      }
      Create copy = new Create(meta, capacity, map);
      copy.replica = true;
      copy.ownerState = before;
      return copy;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      StoredStream existing = entry.getValue();
      String refusal = admit(meta.id(), existing, "create");
      if (refusal != null) {
        return refusal;
      }
      if (existing != null) {
        // a retry of this very create (its first try was applied but not confirmed) gets the stream back
        boolean same = existing.meta().createdAt() == meta.createdAt() && java.util.Objects.equals(existing.meta().owner(), meta.owner());
        return same
            ? new JsonObject().put("meta", metaJson(existing.meta())).encode()
            : error(new HubException(ErrorCode.BAD_REQUEST, "stream '" + meta.id() + "' already exists"));
      }
      entry.setValue(new StoredStream(meta, capacity));
      return new JsonObject().put("meta", metaJson(meta)).encode();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(metaJson(meta).encode());
      out.writeInt(capacity);
      out.writeBoolean(replica);
      out.writeString(map);
      out.writeString(ownerState);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      meta = metaFromJson(new JsonObject(in.readString()));
      capacity = in.readInt();
      replica = in.readBoolean();
      map = in.readString();
      ownerState = in.readString();
    }
  }

  /**
   * Appends a batch at the end of the stream; replies with the first offset as decimal text (a
   * refusal is JSON, {@link #firstOffset}). The stored events
   * are exactly the batch at offsets {@code first, first + 1, ...} stamped with the request's time,
   * so the caller builds them itself instead of having them encoded here (and on the backup, which
   * replays the processor) and parsed back.
   */
  public static final class Append extends Checked implements DataSerializable {
    private String requestId;
    private String stream;
    private List<NewEvent> events;
    private long nowMicros;
    private long epoch;

    public Append() {}

    Append(String requestId, String stream, List<NewEvent> events, long nowMicros, long epoch, String map) {
      this.requestId = requestId;
      this.stream = stream;
      this.events = events;
      this.nowMicros = nowMicros;
      this.epoch = epoch;
      this.map = map;
    }

    String stream() {
      return stream;
    }

    /** Nothing to replay when the owner refused for want of a quorum (a state the backup does not share). */
    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      if (refused) {
        return null;
      }
      Append copy = new Append(requestId, stream, events, nowMicros, epoch, map);
      copy.replica = true;
      copy.ownerState = before;
      return copy;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      StoredStream stored = entry.getValue();
      String refusal = admit(stream, stored, "append");
      if (refusal != null) {
        return refusal;
      }
      if (stored == null) {
        return error(HubException.streamNotFound(stream));
      }
      try {
        List<Event> appended = stored.append(requestId, events, nowMicros, epoch);
        entry.setValue(stored);
        return Long.toString(appended.get(0).offset());
      } catch (HubException e) {
        return error(e);
      }
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(requestId);
      out.writeString(stream);
      out.writeLong(nowMicros);
      out.writeLong(epoch);
      out.writeBoolean(replica);
      out.writeString(map);
      out.writeString(ownerState);
      writeEvents(out, events);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      requestId = in.readString();
      stream = in.readString();
      nowMicros = in.readLong();
      epoch = in.readLong();
      replica = in.readBoolean();
      map = in.readString();
      ownerState = in.readString();
      events = readEvents(in);
    }
  }

  /**
   * Reads a page; replies {@code {"events": [...], "next": n, "finished": b}}.
   *
   * <p>A confirmed read, not a {@link com.hazelcast.core.ReadOnly} one: it sends the no-op
   * {@link Confirm} to the stream's backups, and the store trusts the answer only if it came before
   * the backup timeout, that is, once they acknowledged ({@link HazelcastStreamLog}). A member cut off from the rest by a network
   * partition may still hold an append that failed there (applied on it, never on its backup, never
   * acknowledged nor published); without the confirmation a reader could be served that event during
   * the seconds before the member notices it lost the quorum, while the majority writes something
   * else at that offset. The no-op carries the owner's fingerprint of the stream it served from, and
   * a backup holding another copy does not acknowledge ({@link ReplicaCheck}): an answer is the
   * history both replicas hold, not one copy's. Costs one backup round trip per page, as an append.
   */
  public static final class Read extends Checked implements DataSerializable {
    private String stream;
    private long from;
    private int max;

    public Read() {}

    Read(String stream, long from, int max, String map) {
      this.stream = stream;
      this.from = from;
      this.max = max;
      this.map = map;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      StoredStream stored = entry.getValue();
      String refusal = admit(stream, stored, "read");
      if (refusal != null) {
        return refusal;
      }
      if (stored == null) {
        return error(HubException.streamNotFound(stream));
      }
      try {
        ReadResult page = stored.read(from, max);
        return new JsonObject().put("events", eventsJson(page.events())).put("next", page.next()).put("finished", page.finished()).encode();
      } catch (HubException e) {
        return error(e);
      }
    }

    /** The no-op the backups acknowledge only when they hold the stream the owner served ({@link ReplicaCheck}). */
    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      return new Confirm(stream, map, before);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(stream);
      out.writeLong(from);
      out.writeInt(max);
      out.writeString(map);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      stream = in.readString();
      from = in.readLong();
      max = in.readInt();
      map = in.readString();
    }
  }

  /** Replies {@code {"meta": {...}}}; confirmed by the backups as {@link Read}. */
  public static final class Meta extends Checked implements DataSerializable {
    private String stream;

    public Meta() {}

    Meta(String stream, String map) {
      this.stream = stream;
      this.map = map;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      StoredStream stored = entry.getValue();
      String refusal = admit(stream, stored, "meta");
      if (refusal != null) {
        return refusal;
      }
      return stored == null ? error(HubException.streamNotFound(stream)) : new JsonObject().put("meta", metaJson(stored.meta())).encode();
    }

    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      return new Confirm(stream, map, before);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(stream);
      out.writeString(map);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      stream = in.readString();
      map = in.readString();
    }
  }

  /**
   * The backup side of a confirmed read: changes nothing; its acknowledgement is the point, and the
   * backup gives it only when its copy of the stream is the one the owner served from
   * ({@link ReplicaCheck}).
   */
  public static final class Confirm implements EntryProcessor<String, StoredStream, String>, DataSerializable, HazelcastInstanceAware {
    private String stream;
    private String map;
    private String ownerState;
    private transient HazelcastInstance instance;

    public Confirm() {}

    Confirm(String stream, String map, String ownerState) {
      this.stream = stream;
      this.map = map;
      this.ownerState = ownerState;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
      this.instance = instance;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      ReplicaCheck.verify(instance, map, stream, ownerState, entry.getValue(), "read");
      return null;
    }

    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(stream);
      out.writeString(map);
      out.writeString(ownerState);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      stream = in.readString();
      map = in.readString();
      ownerState = in.readString();
    }
  }

  /** Removes a stream retention no longer keeps; replies "dropped" for it, null for the others. */
  public static final class Expire implements EntryProcessor<String, StoredStream, String>, DataSerializable {
    private long nowMs;
    private long retentionMs;
    private long maxAgeMs;

    public Expire() {}

    Expire(long nowMs, long retentionMs, long maxAgeMs) {
      this.nowMs = nowMs;
      this.retentionMs = retentionMs;
      this.maxAgeMs = maxAgeMs;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      if (entry.getValue().meta().expiredAt(nowMs, retentionMs, maxAgeMs)) {
        entry.setValue(null);
        return "dropped";
      }
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(nowMs);
      out.writeLong(retentionMs);
      out.writeLong(maxAgeMs);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      nowMs = in.readLong();
      retentionMs = in.readLong();
      maxAgeMs = in.readLong();
    }
  }

  /**
   * An event's type and data in an operation: the type's ordinal (1 byte), then a plain delta as
   * 1 and its text, any other event as 0 and its data as JSON text. Deltas, nearly every event,
   * cross without a JSON encode and parse (on the owner and again on the backup, which replays the
   * operation).
   */
  static void writeEvents(ObjectDataOutput out, List<NewEvent> events) throws IOException {
    out.writeInt(events.size());
    for (NewEvent e : events) {
      out.writeByte(e.type().ordinal());
      JsonObject data = e.data();
      Object text = data.size() == 1 ? data.getValue("text") : null;
      if (text instanceof String plain) {
        out.writeBoolean(true);
        out.writeString(plain);
      } else {
        out.writeBoolean(false);
        out.writeString(data.encode());
      }
    }
  }

  static List<NewEvent> readEvents(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    List<NewEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      EventType type = EventType.values()[in.readByte()];
      events.add(in.readBoolean()
          ? new NewEvent(type, new JsonObject(Map.of("text", in.readString())))
          : new NewEvent(type, new JsonObject(in.readString())));
    }
    return events;
  }

  /** An {@link Append}'s reply: its first offset, or the refusal it carries thrown as a {@link HubException}. */
  static long firstOffset(String reply) {
    if (reply.startsWith("{")) {
      parse(reply);
      throw new IllegalStateException("an append replied " + reply);
    }
    return Long.parseLong(reply);
  }

  static String error(HubException e) {
    return new JsonObject().put("error", e.code().code()).put("message", e.getMessage()).encode();
  }

  /** The prefix of a reply that asks the caller to try the same operation again shortly. */
  static final String RETRY = "{\"retry\":true,";

  /** A refusal the caller retries (the operation changed nothing), failing with {@code e} if it runs out of time. */
  static String retryLater(HubException e) {
    return RETRY + error(e).substring(1);
  }

  /** The reply as JSON, or the refusal it carries thrown as a {@link HubException}. */
  static JsonObject parse(String reply) {
    JsonObject json = new JsonObject(reply);
    String code = json.getString("error");
    if (code != null) {
      throw new HubException(ErrorCode.fromCode(code), json.getString("message"));
    }
    return json;
  }

  static JsonArray eventsJson(List<Event> events) {
    JsonArray array = new JsonArray();
    events.forEach(e -> array.add(e.toJson()));
    return array;
  }

  static List<Event> events(JsonArray array) {
    List<Event> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      events.add(Event.fromJson(array.getJsonObject(i)));
    }
    return events;
  }

  /** Every field of a meta, unlike the client-facing {@link StreamMeta#toJson()}. */
  static JsonObject metaJson(StreamMeta meta) {
    return new JsonObject().put("id", meta.id()).put("owner", meta.owner()).put("model", meta.model())
        .put("created_at", meta.createdAt()).put("first", meta.firstOffset()).put("next", meta.nextOffset())
        .put("finished_at", meta.finishedAt());
  }

  static StreamMeta metaFromJson(JsonObject json) {
    return new StreamMeta(json.getString("id"), json.getString("owner"), json.getString("model"),
        json.getLong("created_at"), json.getLong("first"), json.getLong("next"), json.getLong("finished_at"));
  }
}
