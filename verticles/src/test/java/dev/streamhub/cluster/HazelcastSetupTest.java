package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import dev.streamhub.config.ConfigException;
import dev.streamhub.config.HubConfig;
import io.vertx.core.json.JsonObject;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The partition safety {@link HazelcastSetup} adds to whatever Hazelcast config the node is given. */
class HazelcastSetupTest {

  private static final String LOOPBACK = "../cluster-config/hazelcast-loopback.xml";

  private static Config built(String quorum) {
    return HazelcastSetup.hazelcastConfig(HubConfig.load(new JsonObject(),
        Map.of("STREAMHUB_CLUSTER_CONFIG", LOOPBACK, "STREAMHUB_CLUSTER_QUORUM", quorum)).cluster());
  }

  @Test
  void aQuorumGuardsTheLogAndTheLeasesForReadsAndWrites() {
    Config config = built("2");

    SplitBrainProtectionConfig quorum = config.getSplitBrainProtectionConfigs().get(HazelcastSetup.QUORUM);
    assertTrue(quorum.isEnabled());
    assertEquals(2, quorum.getMinimumClusterSize());
    assertEquals(SplitBrainProtectionOn.READ_WRITE, quorum.getProtectOn());
    assertTrue(quorum.getFunctionImplementation() instanceof DataMemberQuorum);
    for (String map : List.of("streamhub.log*", "streamhub.leases")) {
      MapConfig mapConfig = config.getMapConfigOrNull(map);
      assertEquals(HazelcastSetup.QUORUM, mapConfig.getSplitBrainProtectionName(), map);
      assertEquals(1, mapConfig.getBackupCount(), map);
      assertEquals("PutIfAbsentMergePolicy", mapConfig.getMergePolicyConfig().getPolicy().replaceAll(".*\\.", ""), map);
    }
    assertEquals("2000", config.getProperty("hazelcast.operation.backup.timeout.millis"));
    assertEquals("5", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
    assertEquals("3", config.getProperty("hazelcast.partial.member.disconnection.resolution.heartbeat.count"));
  }

  @Test
  void aQuorumOfThreeKeepsEveryAcknowledgedWriteOnThreeMembers() {
    Config config = built("3");

    assertEquals(2, config.getMapConfigOrNull("streamhub.log*").getBackupCount());
    assertEquals(2, config.getMapConfigOrNull("streamhub.leases").getBackupCount());
  }

  @Test
  void quorumOneProtectsNothing() {
    Config config = built("1");

    assertTrue(config.getSplitBrainProtectionConfigs().isEmpty());
    assertNull(config.getMapConfigOrNull("streamhub.log*").getSplitBrainProtectionName());
    assertEquals("2000", config.getProperty("hazelcast.operation.backup.timeout.millis"));
  }

  @Test
  void aQuorumOutOfRangeNamesTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> built("0"));
    assertTrue(e.getMessage().contains("STREAMHUB_CLUSTER_QUORUM") && e.getMessage().contains("cluster_quorum"), e.getMessage());
  }

  @Test
  void liteMembersDoNotMakeAQuorum() throws UnknownHostException {
    DataMemberQuorum quorum = new DataMemberQuorum(2, 60_000);
    Member data1 = member(32001, false);
    Member data2 = member(32002, false);
    Member edge1 = member(32003, true);
    Member edge2 = member(32004, true);

    assertFalse(quorum.apply(List.of(data1, edge1, edge2)));
    assertTrue(quorum.apply(List.of(data1, data2)));
    assertTrue(quorum.apply(List.of(data1, data2, edge1)));
  }

  @Test
  void aDataMemberNotHeardFromRecentlyNoLongerCounts() throws UnknownHostException {
    long[] now = {1_000};
    DataMemberQuorum quorum = new DataMemberQuorum(2, 3_000, () -> now[0]);
    Member self = new MemberImpl.Builder(new Address("127.0.0.1", 32005)).uuid(UUID.randomUUID()).localMember(true).build();
    Member other = member(32006, false);

    assertTrue(quorum.apply(List.of(self, other)), "a member just seen counts");
    now[0] += 2_000;
    quorum.onHeartbeat(other, now[0]);
    now[0] += 2_999;
    assertTrue(quorum.apply(List.of(self, other)), "heard 2.999 s ago");
    now[0] += 2;
    assertFalse(quorum.apply(List.of(self, other)), "silent for over 3 s: the side has lost the quorum");
    quorum.onHeartbeat(other, now[0]);
    assertTrue(quorum.apply(List.of(self, other)), "heard again");
  }

  @Test
  void theRecencyToleranceIsSixtyPercentOfTheSilenceHazelcastAllows() {
    assertEquals(3_000, HazelcastSetup.toleranceMs(built("2")));
  }

  private static Member member(int port, boolean lite) throws UnknownHostException {
    return new MemberImpl.Builder(new Address("127.0.0.1", port)).uuid(UUID.randomUUID()).liteMember(lite).build();
  }
}
