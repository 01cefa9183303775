package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.cluster.EmbeddedHazelcast;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real members: a member joining since the call does not count as one leaving; a member leaving does. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MembersAtCallTest {

  private final String cluster = "streamhub-test-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  private HazelcastInstance start() {
    Config config = EmbeddedHazelcast.config(cluster);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    return member;
  }

  @Test
  void aMemberThatLeftSinceTheCallIsSeenAndOneThatJoinedIsNot() throws InterruptedException {
    HazelcastInstance a = start();
    HazelcastInstance b = start();
    MembersAtCall twoMembers = MembersAtCall.of(a);
    assertFalse(twoMembers.someoneLeft());

    HazelcastInstance c = start();
    awaitMembers(a, 3);
    assertFalse(twoMembers.someoneLeft(), "a member that joined since the call");

    MembersAtCall threeMembers = MembersAtCall.of(a);
    c.getLifecycleService().terminate();
    awaitMembers(a, 2);
    assertTrue(threeMembers.someoneLeft(), "a member that left since the call");
    assertFalse(twoMembers.someoneLeft(), "the members listed at the call are all still there");
    assertFalse(MembersAtCall.of(b).someoneLeft());
  }

  private static void awaitMembers(HazelcastInstance member, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (member.getCluster().getMembers().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not " + count + " members within 60 s: " + member.getCluster().getMembers());
      }
      Thread.sleep(50);
    }
  }
}
