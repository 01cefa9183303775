package dev.streamhub.ops;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import dev.streamhub.cluster.HazelcastSetup;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per member that joins or leaves the cluster, on every node that sees it:
 * {@code cluster member <node id> left: 2 members} with the key-value {@code member} (the Vert.x
 * node id, as in {@code GET /v1/cluster}). Hazelcast's own
 * churn messages (suspicions, connection resets with stack traces, master changes) are turned down
 * to ERROR in {@code logback.xml}, so a peer's death is this one line.
 */
public final class MembershipLog implements MembershipListener {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipLog.class);
  /** The member attribute vertx-hazelcast stores the Vert.x node id in (the id of {@code GET /v1/cluster}). */
  static final String VERTX_NODE_ID = "__vertx.nodeId";

  private MembershipLog() {}

  /** Listens on {@code vertx}'s Hazelcast member, if it is clustered. */
  public static void install(Vertx vertx) {
    HazelcastSetup.hazelcast(vertx).ifPresent(hz -> hz.getCluster().addMembershipListener(new MembershipLog()));
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    String member = nodeId(event.getMember());
    LOG.atInfo().addKeyValue("member", member).log("cluster member {} joined: {} members", member, event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String member = nodeId(event.getMember());
    LOG.atInfo().addKeyValue("member", member).log("cluster member {} left: {} members", member, event.getMembers().size());
  }

  /** The member's Vert.x node id, or its Hazelcast id when it is not a Vert.x node. */
  private static String nodeId(Member member) {
    String id = member.getAttribute(VERTX_NODE_ID);
    return id != null ? id : member.getUuid().toString();
  }
}
