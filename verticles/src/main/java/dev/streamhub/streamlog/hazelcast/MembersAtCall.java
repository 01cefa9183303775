package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.util.Set;

/**
 * The members the calling member listed when it made a log call, to tell afterwards whether one of
 * them left while the call was out. A call that saw a member leave is not proof of a backup.
 *
 * <p>Why: the member that invokes an operation counts its backups' acknowledgements, and when any
 * member leaves its member list Hazelcast counts one missing acknowledgement of every pending call
 * as received ({@code InvocationMonitor}'s "potential backup loss": the backup may have been on the
 * member that left). A member cut off from the master (a one-link partition) drops the others from
 * its list all at once when its mastership claim fails, about {@code hazelcast.max.no.heartbeat.seconds}
 * after the cut; every append it applied in the second before, whose backup never arrived, then
 * "succeeds" well within the backup timeout, and was published to its readers, while the master had
 * already removed it and promoted the other replica, which never held those events: the majority
 * wrote {@code worker_lost} at the same offset (PartitionIT's one-link rounds, {@code OneLinkAppendIT}).
 * So the store counts such an answer as unknown and asks again with the same request id: the retry
 * is refused where there is no quorum, and confirmed by the current backups where there is.
 */
final class MembersAtCall {

  private final HazelcastInstance instance;
  private final Set<Member> members;

  private MembersAtCall(HazelcastInstance instance, Set<Member> members) {
    this.instance = instance;
    this.members = members;
  }

  /** The members {@code instance} lists now (a snapshot; Hazelcast's member set is immutable per version). */
  static MembersAtCall of(HazelcastInstance instance) {
    return new MembersAtCall(instance, instance.getCluster().getMembers());
  }

  /** True when a member listed at the call is no longer listed (a member that joined since does not count). */
  boolean someoneLeft() {
    Set<Member> now = instance.getCluster().getMembers();
    return now != members && !now.containsAll(members);
  }
}
