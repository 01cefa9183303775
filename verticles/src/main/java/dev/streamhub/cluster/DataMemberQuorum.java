package dev.streamhub.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;
import java.util.Collection;

/**
 * The hub's split-brain protection rule: a side of the cluster has quorum while it sees at least
 * {@code cluster_quorum} data members. Lite members (edges with {@code cluster_lite_member}) hold no
 * part of the log and do not count, so a side of one data member and many edges is still a
 * minority. Hazelcast's own member-count function counts every member.
 */
public final class DataMemberQuorum implements SplitBrainProtectionFunction {

  private final int minimum;

  public DataMemberQuorum(int minimum) {
    this.minimum = minimum;
  }

  @Override
  public boolean apply(Collection<Member> members) {
    return members.stream().filter(m -> !m.isLiteMember()).count() >= minimum;
  }
}
