package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.InternalPartition;
import com.hazelcast.internal.partition.PartitionReplica;
import com.hazelcast.internal.partition.impl.InternalPartitionServiceImpl;
import com.hazelcast.map.impl.MapService;
import dev.streamhub.stream.Event;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check a backup replica makes before it replays (or confirms) what the stream's owner did: that
 * it holds the same stream the owner held. An acknowledgement from a backup proves only that the
 * backup is alive, not that its copy is the owner's. Around a partition the copies of a stream can
 * differ: an append the owner applied and backed up just as the network was cut reaches one replica
 * and not the other, a migration that was under way carried an older copy, and Hazelcast promotes
 * whichever replica it has. A backup that replays an append on a different copy stores it at
 * another offset, and a read "confirmed" by such a backup serves events the next owner does not
 * hold: the majority then writes something else at that offset, and the log forks (PartitionIT).
 *
 * <p>So every processor that writes or serves the log carries the owner's {@link #fingerprint} of
 * the stream as it found it (its end offset, its last event's time and type, its writer epoch), and
 * the backup compares it with its own copy first. On a mismatch the backup refuses
 * ({@link Diverged}): it sends no acknowledgement, so the owner's answer comes only after the backup
 * timeout, which the store does not trust ({@link HazelcastStreamLog}) and asks again; and it asks
 * the owner for a full copy of the partition (Hazelcast's replica sync, the owner's copy wins), after
 * which the next try is confirmed. Nothing is acknowledged, published or served while two replicas
 * of a stream disagree. This reads Hazelcast's internal partition service (as {@link OwnerQuorum}
 * does) to ask for the sync.
 */
final class ReplicaCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaCheck.class);
  /** The fingerprint of a stream this replica does not hold. */
  static final String ABSENT = "-";

  private ReplicaCheck() {}

  /** A backup replica's copy differs from the owner's: nothing was changed, and no acknowledgement is sent. */
  static final class Diverged extends IllegalStateException {
    Diverged(String message) {
      super(message);
    }
  }

  /** What a backup compares with the owner: {@code next:lastTs:lastType:epoch}, or {@link #ABSENT}. */
  static String fingerprint(StoredStream stored) {
    if (stored == null) {
      return ABSENT;
    }
    long next = stored.meta().nextOffset();
    long first = stored.meta().firstOffset();
    String last = "none";
    if (next > first) {
      List<Event> events = stored.read(next - 1, 1).events();
      Event event = events.get(0);
      last = event.ts() + ":" + event.type().wire();
    }
    return next + ":" + last + ":" + stored.epoch();
  }

  /**
   * On a backup replica: returns normally when its copy of {@code stream} is the one the owner
   * processed ({@code owner}'s fingerprint), else asks for a replica sync and throws {@link Diverged}.
   */
  static void verify(HazelcastInstance instance, String map, String stream, String owner, StoredStream copy, String operation) {
    if (owner == null) {
      return; // an owner of a version without the check
    }
    String mine = fingerprint(copy);
    if (owner.equals(mine)) {
      return;
    }
    // a backup still waiting for its first copy (a member joined or left a moment ago) is routine; two different copies are not
    LOG.atLevel(ABSENT.equals(mine) ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.WARN).addKeyValue("stream", stream)
        .log("backup replica of stream {} differs from its owner's ({} here, {} on the owner) at {}:"
            + " not acknowledged, asking the owner for a replica sync", stream, mine, owner, operation);
    requestSync(instance, map, stream);
    throw new Diverged("backup replica of stream '" + stream + "' differs from the owner's (" + mine + " here, " + owner + " there)");
  }

  private static void requestSync(HazelcastInstance instance, String map, String stream) {
    HazelcastInstanceImpl impl = instance instanceof HazelcastInstanceProxy ? ((HazelcastInstanceProxy) instance).getOriginal()
        : instance instanceof HazelcastInstanceImpl ? (HazelcastInstanceImpl) instance : null;
    if (impl == null || map == null) {
      return;
    }
    try {
      int partitionId = instance.getPartitionService().getPartition(stream).getPartitionId();
      InternalPartition partition = impl.node.getPartitionService().getPartition(partitionId);
      int replicaIndex = partition.getReplicaIndex(PartitionReplica.from(impl.node.getLocalMember()));
      if (replicaIndex > 0) {
        ((InternalPartitionServiceImpl) impl.node.getPartitionService()).getReplicaManager()
            .triggerPartitionReplicaSync(partitionId, List.of(MapService.getObjectNamespace(map)), replicaIndex);
      }
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("stream", stream).log("could not ask for a replica sync of stream {}: {}", stream, e.toString());
    }
  }
}
