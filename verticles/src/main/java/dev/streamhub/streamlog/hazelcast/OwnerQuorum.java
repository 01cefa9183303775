package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.InternalPartition;
import com.hazelcast.internal.partition.PartitionReplica;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;

/**
 * The quorum check the log's entry processors make themselves, on the member that owns the stream,
 * before they read or change it; on top of Hazelcast's split-brain protection, which checks a state
 * it updates asynchronously after a membership change. When a member cut off from the others drops
 * them from its member list it promotes its backups at once, and for a moment it owns streams with
 * no backup to confirm a write while the cached protection state still says "quorum": an append
 * there would be acknowledged on one member. The member list a processor reads here is the one the
 * promotion came from, so that moment is closed; and the protection itself
 * ({@link dev.streamhub.cluster.DataMemberQuorum}) stops counting members it has not heard from
 * recently, well before they are dropped.
 *
 * <p>It also checks that the stream's partition has its backups: while Hazelcast rebalances (after a
 * member joined, left or a partition healed) a partition can for a moment have fewer backup replicas
 * than configured, or name as a backup a member this one no longer lists (Hazelcast then sends that
 * backup nowhere and expects no acknowledgement for it), and a write there would be acknowledged by
 * fewer than {@code cluster_quorum} members. The owner refuses it instead (the store tries again for a few seconds). This reads
 * Hazelcast's internal partition table ({@code InternalPartition}), the one thing here outside its
 * public API, because the public {@code Partition} names only the owner.
 */
final class OwnerQuorum {

  private OwnerQuorum() {}

  /**
   * Null when {@code instance}'s side may serve the log, else the processor's reply: a refusal
   * ({@code store_unavailable}) without a quorum, a "try again" reply while backups are missing.
   */
  static String refusal(HazelcastInstance instance, String stream) {
    HubException noQuorum = quorum(instance, stream);
    if (noQuorum != null) {
      return LogProcessors.error(noQuorum);
    }
    HubException noBackups = backups(instance, stream);
    return noBackups == null ? null : LogProcessors.retryLater(noBackups);
  }

  private static HubException quorum(HazelcastInstance instance, String stream) {
    if (instance == null) {
      return null;
    }
    SplitBrainProtectionConfig config = instance.getConfig().getSplitBrainProtectionConfigs().get(HazelcastSetup.QUORUM);
    if (config == null || !config.isEnabled()) {
      return null;
    }
    long data = instance.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).count();
    if (data >= config.getMinimumClusterSize()
        && instance.getSplitBrainProtectionService().getSplitBrainProtection(HazelcastSetup.QUORUM).hasMinimumSize()) {
      return null;
    }
    return new HubException(ErrorCode.STORE_UNAVAILABLE, "the member holding stream '" + stream
        + "' is cut off from the majority of the cluster; reconnect (through another node) and resume");
  }

  /** A refusal when the stream's partition has fewer than {@code cluster_quorum - 1} backup replicas that are members. */
  private static HubException backups(HazelcastInstance instance, String stream) {
    if (instance == null) {
      return null;
    }
    SplitBrainProtectionConfig config = instance.getConfig().getSplitBrainProtectionConfigs().get(HazelcastSetup.QUORUM);
    if (config == null || !config.isEnabled()) {
      return null;
    }
    HazelcastInstanceImpl impl = instance instanceof HazelcastInstanceProxy ? ((HazelcastInstanceProxy) instance).getOriginal()
        : instance instanceof HazelcastInstanceImpl ? (HazelcastInstanceImpl) instance : null;
    if (impl == null) {
      return null;
    }
    int partitionId = instance.getPartitionService().getPartition(stream).getPartitionId();
    InternalPartition partition = impl.node.getPartitionService().getPartition(partitionId);
    for (int replica = 1; replica < config.getMinimumClusterSize(); replica++) {
      PartitionReplica backup = partition.getReplica(replica);
      // Hazelcast sends no backup to a replica that is not in this member's list (and then expects no
      // acknowledgement): the table still names a member that left until the master repairs it
      if (backup == null || impl.node.getClusterService().getMember(backup.address(), backup.uuid()) == null) {
        return new HubException(ErrorCode.STORE_UNAVAILABLE, "stream '" + stream + "' has fewer backups than cluster_quorum "
            + "needs while the cluster rebalances; try again in a moment");
      }
    }
    return null;
  }
}
