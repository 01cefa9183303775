package dev.streamhub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.splitbrainprotection.HeartbeatAware;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The hub's split-brain protection rule: a side of the cluster has quorum while it sees at least
 * {@code cluster_quorum} data members that it heard from within {@code toleranceMs}. Lite members
 * (edges with {@code cluster_lite_member}) hold no part of the log and do not count, so a side of one
 * data member and many edges is still a minority (Hazelcast's own member-count function counts every
 * member).
 *
 * <p>Recency matters: Hazelcast drops a silent member only after
 * {@code hazelcast.max.no.heartbeat.seconds}, and until then a member cut off from the others still
 * lists them. Counting only members heard from within 60% of that time makes the cut-off side lose the
 * quorum seconds before it drops anyone and promotes its backups (Hazelcast re-evaluates this
 * function every heartbeat interval). A member not heard from yet counts from when it is first seen
 * (a fresh join).
 */
public final class DataMemberQuorum implements SplitBrainProtectionFunction, HeartbeatAware {

  private final int minimum;
  private final long toleranceMs;
  private final LongSupplier clock;
  private final Map<UUID, Long> lastHeard = new ConcurrentHashMap<>();

  public DataMemberQuorum(int minimum, long toleranceMs) {
    this(minimum, toleranceMs, System::currentTimeMillis);
  }

  DataMemberQuorum(int minimum, long toleranceMs, LongSupplier clock) {
    this.minimum = minimum;
    this.toleranceMs = toleranceMs;
    this.clock = clock;
  }

  @Override
  public void onHeartbeat(Member member, long timestamp) {
    lastHeard.put(member.getUuid(), clock.getAsLong());
  }

  @Override
  public boolean apply(Collection<Member> members) {
    long now = clock.getAsLong();
    long heard = members.stream()
        .filter(m -> !m.isLiteMember())
        .filter(m -> m.localMember() || now - lastHeard.computeIfAbsent(m.getUuid(), uuid -> now) <= toleranceMs)
        .count();
    return heard >= minimum;
  }
}
