package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Partitions (see {@code cluster-config/README.md}, "Network partitions"): with
 * {@code cluster_quorum} above 1 a split-brain protection guards this map, and the processors check
 * the quorum and the stream's backups again on the owner ({@link OwnerQuorum}). An append, a create
 * and a read count as done only once the stream's backups acknowledged them (reads send a no-op to
 * the backups, {@link LogProcessors.Read}), and a backup acknowledges only when its copy of the stream
 * is the one the owner processed ({@link ReplicaCheck}: around a cut two replicas can differ, and
 * Hazelcast promotes whichever it has). Hazelcast reports success anyway when the backups stay
 * silent past {@code hazelcast.operation.backup.timeout.millis}, which is what a member cut off from
 * the others sees, so a success that took that long is not trusted: the call is made again. Nor is
 * one during which a member the calling member listed left: Hazelcast counts a member that leaves as
 * a backup acknowledgement of every call still out, and a member cut off from the master drops the
 * others all at once ({@link MembersAtCall}). So a member cut off from the others acknowledges
 * nothing and serves nothing that the majority may not hold. A call that found no quorum fails with {@code store_unavailable}; one whose outcome is
 * unknown (a slow success, {@code IndeterminateOperationStateException}, no answer within
 * {@link #ATTEMPT_TIMEOUT_MS}), or that the owner declined because the stream's partition is short of
 * backups while the cluster rebalances, is tried again with the same request id for up to
 * {@link #RETRY_MS} ms (then {@code store_unavailable}), which is
 * safe because every operation is idempotent (the append by request id, the create by its meta), and
 * which lets a writer ride out the few seconds Hazelcast takes to notice a dead member.
 *
 * <p>Fencing: an append carries its writer's lease epoch ({@link StreamLog#append(String, List, long)});
 * the stream remembers the highest, and the processor refuses a lower one with {@code worker_lost}.
 *
 * <p>Batching: appends issued on an event loop are grouped by the member that owns their stream's
 * partition and cross the network as one task per member ({@link AppendBatches}, {@link AppendTask}),
 * where each is still its own entry processor with its own synchronous backup: the checks, the
 * acknowledgement and the retries above are the same, only the round trip is shared. A batched
 * append whose outcome the task cannot tell is tried again here on its own, with its request id.
 * Appends made off an event loop, or while their partition has no known owner, go on their own.
 *
 * <p>Threading: every call uses Hazelcast's async API ({@code submitToKey}, the executor's
 * {@code submitToMember}) and completes on the
 * caller's Vert.x context. The one blocking call, {@code localKeySet()} of the background retention
 * sweep ({@link #expire()}), has no async variant in Hazelcast; it runs in {@code executeBlocking}.
 */
public final class HazelcastStreamLog implements StreamLog {

  /** The map of the cluster's stream log; {@code streamhub.log*} in the Hazelcast configs. */
  public static final String MAP = Addresses.LOG_MAP;
  /** The executor that runs batched appends on their owner ({@link AppendTask}). */
  public static final String EXECUTOR = "streamhub.log.append";
  /** Synchronous backups of every stream: each event lives on two members. */
  public static final int BACKUP_COUNT = HazelcastSetup.LOG_BACKUP_COUNT;
  /** How long a call whose outcome is unknown is tried again: above Hazelcast's failure detection (5-10 s). */
  static final long RETRY_MS = 15_000;
  static final long RETRY_PAUSE_MS = 200;
  /**
   * One try's bound: above the backup timeout (2 s), below Hazelcast's own call timeout (60 s), which
   * a call caught in a member's merge could otherwise wait out. A try that timed out may still have
   * been applied; the next one (same request id) finds out.
   */
  static final long ATTEMPT_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastStreamLog.class);
  /** The key {@link #ping} reads; no stream id looks like it. */
  private static final String PING_KEY = "streamhub.ping";

  /**
   * Append request ids (see {@link StoredStream#append}): unique per stream across nodes and
   * restarts, made without a {@code SecureRandom} per append.
   */
  private static final String REQUEST_PREFIX = UUID.randomUUID() + ":";
  private static final AtomicLong REQUESTS = new AtomicLong();

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  /** Where each event loop's {@link AppendBatches} for this map is kept (context data). */
  private final String batchesKey;
  private final IMap<String, StoredStream> map;
  private final StreamLogConfig config;
  private final InFlightAppends inFlight;
  /** A success that took longer than this may be Hazelcast giving up on the backups' acknowledgement. */
  private final long backupTimeoutNanos;

  private HazelcastStreamLog(Vertx vertx, HazelcastInstance hazelcast, IMap<String, StoredStream> map, StreamLogConfig config, long backupTimeoutMs) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.executor = hazelcast.getExecutorService(EXECUTOR);
    this.batchesKey = "streamhub.log.batches." + map.getName();
    this.map = map;
    this.config = config;
    this.inFlight = new InFlightAppends(vertx);
    this.backupTimeoutNanos = backupTimeoutMs * 1_000_000;
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
      String backupTimeout = hazelcast.getConfig().getProperty(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName());
      return new HazelcastStreamLog(vertx, hazelcast, map, config,
          backupTimeout != null ? Long.parseLong(backupTimeout.trim()) : Long.parseLong(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getDefaultValue()));
    });
  }

  @Override
  public Future<StreamMeta> create(StreamMeta meta) {
    return call(meta.id(), new LogProcessors.Create(meta, config.maxEventsPerStream(), map.getName())).map(meta);
  }

  @Override
  public Future<List<Event>> append(String stream, List<NewEvent> events) {
    return append(stream, events, 0);
  }

  @Override
  public Future<List<Event>> append(String stream, List<NewEvent> events, long epoch) {
    List<NewEvent> batch = List.copyOf(events);
    return inFlight.run(stream, () -> send(stream, batch, epoch));
  }

  /** One append, its retries included (at most {@link InFlightAppends#PER_STREAM} per stream at once). */
  private Future<List<Event>> send(String stream, List<NewEvent> batch, long epoch) {
    long now = Micros.now();
    String requestId = REQUEST_PREFIX + REQUESTS.incrementAndGet();
    LogProcessors.Append op = new LogProcessors.Append(requestId, stream, batch, now, epoch, map.getName());
    long deadline = System.nanoTime() + RETRY_MS * 1_000_000;
    Future<String> batched = batches().map(b -> b.submit(op)).orElse(null);
    Future<String> reply = batched == null
        ? attempt(stream, op, deadline)
        : settle(stream, op, deadline, System.nanoTime(), null, batched, false);
    return reply.map(answer -> {
      long first = LogProcessors.firstOffset(answer);
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
    return call(stream, new LogProcessors.Read(stream, from, max, map.getName())).map(reply ->
        new ReadResult(LogProcessors.events(reply.getJsonArray("events")), reply.getLong("next"), reply.getBoolean("finished")));
  }

  @Override
  public Future<StreamMeta> meta(String stream) {
    return call(stream, new LogProcessors.Meta(stream, map.getName())).map(reply -> LogProcessors.metaFromJson(reply.getJsonObject("meta")));
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
    return attempt(stream, op, System.nanoTime() + RETRY_MS * 1_000_000).map(LogProcessors::parse);
  }

  private Future<String> attempt(String stream, EntryProcessor<String, StoredStream, String> op, long deadline) {
    Context context = vertx.getOrCreateContext();
    MembersAtCall members = MembersAtCall.of(hazelcast);
    return settle(stream, op, deadline, System.nanoTime(), members, Future.fromCompletionStage(map.submitToKey(stream, op), context), true);
  }

  /**
   * Decides on one try's outcome: its reply, or another try ({@link #attempt}, same request) while
   * the outcome is unknown or the owner asked to retry, until {@code deadline}. {@code checkSlow}:
   * distrust a success that took the backup timeout, or during which a member this one listed at the
   * call ({@code members}) left, which Hazelcast counts as a backup acknowledgement ({@link MembersAtCall});
   * a batched try had both checked on the owner ({@link AppendTask}).
   */
  private Future<String> settle(String stream, EntryProcessor<String, StoredStream, String> op, long deadline, long started,
      MembersAtCall members, Future<String> tried, boolean checkSlow) {
    // a batched try is bounded by its task's own timer (AppendBatches): no timer per append
    return (checkSlow ? tried.timeout(ATTEMPT_TIMEOUT_MS, TimeUnit.MILLISECONDS) : tried)
        .compose(reply -> {
          boolean again = reply != null && reply.startsWith(LogProcessors.RETRY);
          if (!again && checkSlow && (System.nanoTime() - started >= backupTimeoutNanos || members.someoneLeft())) {
            // Hazelcast answers success once the backup timeout passed even if no backup acknowledged
            // (a member cut off from the others does exactly that), and counts a member that left as an
            // acknowledgement (one cut off from the master drops the others): not proof of a quorum, so ask again
            if (System.nanoTime() >= deadline) {
              return Future.failedFuture(new HubException(ErrorCode.STORE_UNAVAILABLE, "the cluster members holding stream '"
                  + stream + "' did not confirm in time; reconnect (through another node) and resume"));
            }
            LOG.debug("stream={} {} answered after the backup timeout or as a member left, trying again", stream, op.getClass().getSimpleName());
            again = true;
          }
          return again && System.nanoTime() < deadline
              ? vertx.timer(RETRY_PAUSE_MS).compose(waited -> attempt(stream, op, deadline))
              : Future.succeededFuture(reply);
        }, err -> {
          Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
          if (cause instanceof AppendBatches.UnknownOutcome && System.nanoTime() < deadline) {
            return attempt(stream, op, deadline);
          }
          boolean unknown = cause instanceof IndeterminateOperationStateException || cause instanceof TimeoutException
              || cause instanceof AppendBatches.UnknownOutcome;
          if (unknown && System.nanoTime() < deadline) {
            LOG.debug("stream={} {} unconfirmed, trying again: {}", stream, op.getClass().getSimpleName(), cause.getMessage());
            return vertx.timer(RETRY_PAUSE_MS).compose(waited -> attempt(stream, op, deadline));
          }
          return Future.failedFuture(unavailable(stream, cause));
        });
  }

  /**
   * This event loop's {@link AppendBatches}, made on first use; empty off an event loop (a test
   * thread, a worker thread), where appends go one by one.
   */
  private java.util.Optional<AppendBatches> batches() {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      return java.util.Optional.empty();
    }
    AppendBatches batches = context.get(batchesKey);
    if (batches == null) {
      batches = new AppendBatches(hazelcast, executor, map.getName(), backupTimeoutNanos, context);
      context.put(batchesKey, batches);
    }
    return java.util.Optional.of(batches);
  }

  /** Hazelcast's refusals as the hub's {@code store_unavailable}; anything else as it is. */
  static Throwable unavailable(String stream, Throwable cause) {
    if (cause instanceof SplitBrainProtectionException) {
      return new HubException(ErrorCode.STORE_UNAVAILABLE, "this node is cut off from the majority of the cluster "
          + "and cannot read or write stream '" + stream + "'; reconnect (through another node) and resume");
    }
    if (cause instanceof IndeterminateOperationStateException || cause instanceof OperationTimeoutException || cause instanceof TimeoutException
        || cause instanceof HazelcastInstanceNotActiveException) {
      return new HubException(ErrorCode.STORE_UNAVAILABLE, "the cluster members holding stream '" + stream
          + "' did not confirm in time; reconnect (through another node) and resume");
    }
    return cause;
  }
}
