package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.ClusterConfig.Role;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster keys: roles, the Hazelcast config file, the store that follows, lease timings. */
class ClusterConfigTest {

  private static final String LOOPBACK = "../cluster-config/hazelcast-loopback.xml";

  private static String failure(JsonObject file, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> HubConfig.load(file, env)).getMessage();
  }

  @Test
  void aloneByDefaultWithEveryRoleAndTheMemoryStore() {
    HubConfig config = HubConfig.of(new JsonObject());
    assertFalse(config.cluster().clustered());
    assertEquals(Set.of(Role.EDGE, Role.WORKER), config.cluster().roles());
    assertEquals("memory", config.log().store());
    assertEquals(WorkerConfig.DEFAULT_LOST_TIMEOUT_MS, config.worker().lostTimeoutMs());
  }

  @Test
  void aClusterConfigMakesHazelcastTheDefaultStore() {
    HubConfig config = HubConfig.load(new JsonObject(), Map.of("STREAMHUB_CLUSTER_CONFIG", LOOPBACK, "STREAMHUB_ROLES", "edge"));
    assertTrue(config.cluster().clustered());
    assertEquals("hazelcast", config.log().store());
    assertEquals(Set.of(Role.EDGE), config.cluster().roles());
    assertEquals("127.0.0.1", config.cluster().host());
  }

  @Test
  void aLiteMemberHoldsNoPartitionOfTheData() {
    HubConfig data = HubConfig.load(new JsonObject(), Map.of("STREAMHUB_CLUSTER_CONFIG", LOOPBACK));
    HubConfig lite = HubConfig.load(new JsonObject(), Map.of("STREAMHUB_CLUSTER_CONFIG", LOOPBACK, "STREAMHUB_CLUSTER_LITE_MEMBER", "true"));
    assertFalse(data.cluster().liteMember());
    assertFalse(HazelcastSetup.hazelcastConfig(data.cluster()).isLiteMember());
    assertTrue(lite.cluster().liteMember());
    assertTrue(HazelcastSetup.hazelcastConfig(lite.cluster()).isLiteMember());
  }

  @Test
  void rolesAreACommaSeparatedList() {
    assertEquals(Set.of(Role.EDGE, Role.WORKER), HubConfig.of(new JsonObject().put("roles", "worker, edge")).cluster().roles());
    String message = failure(new JsonObject(), Map.of("STREAMHUB_ROLES", "edge,cook"));
    assertTrue(message.contains("STREAMHUB_ROLES") && message.contains("roles") && message.contains("edge,cook"), message);
  }

  @Test
  void anUnreadableHazelcastConfigNamesTheKey() {
    String message = failure(new JsonObject().put("cluster_config", "/nonexistent/hz.xml"), Map.of());
    assertTrue(message.contains("cluster_config") && message.contains("/nonexistent/hz.xml"), message);
  }

  @Test
  void theHazelcastStoreNeedsACluster() {
    String message = failure(new JsonObject().put("log_store", "hazelcast"), Map.of());
    assertTrue(message.contains("log_store") && message.contains("cluster_config"), message);
  }

  @Test
  void aClusterRefusesTheMemoryStore() {
    String message = failure(new JsonObject().put("cluster_config", LOOPBACK).put("log_store", "memory"), Map.of());
    assertTrue(message.contains("log_store") && message.contains("memory"), message);
  }

  @Test
  void theLeaseMustBeRenewedAtLeastTwiceWithinTheLostTimeout() {
    String message = failure(new JsonObject().put("worker_lease_ms", 3000).put("worker_lost_timeout_ms", 4000), Map.of());
    assertTrue(message.contains("worker_lease_ms") && message.contains("worker_lost_timeout_ms"), message);
  }
}
