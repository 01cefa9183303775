package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Micros;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster store: the stream log in the memory of the Hazelcast members, so any node reads any
 * stream and losing one node loses nothing.
 *
 * <p>Layout: one {@link IMap} ({@code streamhub.log}) keyed by stream id, whose value is the whole
 * stream ({@link StoredStream}: meta plus a ring of its newest events). Every operation is an entry
 * processor run by the member that owns the stream's partition, one at a time per partition: an
 * append reads the end, checks the terminal rule and stores the batch in one step, so offsets are
 * contiguous and assigned atomically, and nothing is appended after a terminal event. The other
 * layouts considered need two steps that can interleave: an {@code IAtomicLong} per stream plus an
 * event map (a reader could see offset {@code n} reserved but not yet stored, and the counter and
 * the events live in different partitions, so their backups are not consistent with each other);
 * a map per stream (thousands of distributed objects to create and destroy).
 *
 * <p>Durability: the map is configured (by {@code cluster-config/*.xml}, and by {@link #create} if
 * the config says nothing) with {@code backup-count 1}, a synchronous backup: Hazelcast acknowledges
 * an append only once the owner and its backup both applied it, and the hub publishes an event to
 * clients only after that acknowledgement (append-then-publish). Killing any one member therefore
 * loses no event a client has seen; its backups are promoted. The in-memory format is
 * {@code OBJECT}, so an append changes the stream in place instead of deserializing it;
 * the processors are deterministic (the append time travels with the request) so the backup
 * replays them. An append carries a request id and the stream remembers its last few, so an
 * append Hazelcast retries after a member died mid-call is not stored twice.
 *
 * <p>Threading: every call uses Hazelcast's async API ({@code submitToKey}) and completes on the
 * caller's Vert.x context. The one blocking call, {@code localKeySet()} of the background retention
 * sweep ({@link #expire()}), has no async variant in Hazelcast; it runs in {@code executeBlocking}.
 */
public final class HazelcastStreamLog implements StreamLog {

  /** The map of the cluster's stream log; {@code streamhub.log*} in the Hazelcast configs. */
  public static final String MAP = "streamhub.log";
  /** Synchronous backups of every stream: each event lives on two members. */
  public static final int BACKUP_COUNT = 1;

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastStreamLog.class);
  /** The key {@link #ping} reads; no stream id looks like it. */
  private static final String PING_KEY = "streamhub.ping";

  private final Vertx vertx;
  private final IMap<String, StoredStream> map;
  private final StreamLogConfig config;

  private HazelcastStreamLog(Vertx vertx, IMap<String, StoredStream> map, StreamLogConfig config) {
    this.vertx = vertx;
    this.map = map;
    this.config = config;
  }

  /** The log in map {@code mapName} of {@code hazelcast} (tests use a fresh name per log). */
  public static Future<StreamLog> create(Vertx vertx, HazelcastInstance hazelcast, StreamLogConfig config, String mapName) {
    return vertx.executeBlocking(() -> {
      MapConfig configured = hazelcast.getConfig().getMapConfigOrNull(mapName);
      if (configured == null) {
        hazelcast.getConfig().addMapConfig(new MapConfig(mapName)
            .setBackupCount(BACKUP_COUNT).setAsyncBackupCount(0).setInMemoryFormat(InMemoryFormat.OBJECT));
      } else if (configured.getBackupCount() < BACKUP_COUNT) {
        LOG.warn("map {} has backup-count {}: losing a node can lose stream events; see cluster-config/", mapName, configured.getBackupCount());
      }
      IMap<String, StoredStream> map = hazelcast.getMap(mapName);
      return new HazelcastStreamLog(vertx, map, config);
    });
  }

  @Override
  public Future<StreamMeta> create(StreamMeta meta) {
    return call(meta.id(), new LogProcessors.Create(meta, config.maxEventsPerStream())).map(meta);
  }

  @Override
  public Future<List<Event>> append(String stream, List<NewEvent> events) {
    List<NewEvent> batch = List.copyOf(events);
    long now = Micros.now();
    return call(stream, new LogProcessors.Append(UUID.randomUUID().toString(), stream, batch, now)).map(reply -> {
      long first = reply.getLong("first");
      List<Event> stored = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        stored.add(batch.get(i).at(stream, first + i, now));
      }
      return stored;
    });
  }

  @Override
  public Future<ReadResult> read(String stream, long from, int max) {
    if (max < 1) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "max must be at least 1"));
    }
    return call(stream, new LogProcessors.Read(stream, from, max)).map(reply ->
        new ReadResult(LogProcessors.events(reply.getJsonArray("events")), reply.getLong("next"), reply.getBoolean("finished")));
  }

  @Override
  public Future<StreamMeta> meta(String stream) {
    return call(stream, new LogProcessors.Meta(stream)).map(reply -> LogProcessors.metaFromJson(reply.getJsonObject("meta")));
  }

  /**
   * Each member sweeps the streams it owns (every node runs the retention sweep), so the cluster
   * visits every stream once per round and no member scans the others' entries.
   */
  @Override
  public Future<Integer> expire() {
    Context context = vertx.getOrCreateContext();
    LogProcessors.Expire sweep = new LogProcessors.Expire(System.currentTimeMillis(),
        config.retentionSeconds() * 1000, config.maxAgeSeconds() * 1000);
    return vertx.executeBlocking(map::localKeySet, false).compose(owned -> owned.isEmpty()
        ? Future.succeededFuture(0)
        : Future.fromCompletionStage(map.submitToKeys(owned, sweep), context)
            .map(results -> (int) results.values().stream().filter("dropped"::equals).count()));
  }

  /** A read of an absent key: a round trip to the member that owns its partition. */
  @Override
  public Future<Void> ping() {
    return Future.fromCompletionStage(map.getAsync(PING_KEY), vertx.getOrCreateContext()).mapEmpty();
  }

  /** The map is the cluster's: closing one node's view of it leaves the streams to the others. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private Future<JsonObject> call(String stream, EntryProcessor<String, StoredStream, String> op) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(map.submitToKey(stream, op), context).map(LogProcessors::parse);
  }
}
