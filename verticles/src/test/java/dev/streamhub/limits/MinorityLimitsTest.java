package dev.streamhub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.cluster.NodeProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limit counters ({@code streamhub.limits*}) are under the cluster's quorum ({@code cluster_quorum}),
 * as the stream log is: two data members in this JVM with {@code cluster_quorum} 2; once one leaves,
 * the node left on the minority side refuses every limited request with 503 {@code store_unavailable}
 * instead of counting (or letting through) a second budget of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MinorityLimitsTest {

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static JsonObject node(String roles) {
    return new JsonObject()
        .put("cluster_config", NodeProcess.LOOPBACK_CONFIG.toString())
        .put("cluster_quorum", 2)
        .put("roles", roles)
        .put("log_store", "hazelcast")
        .put("limits_store", "hazelcast")
        .put("limits_request_rate", 1000)
        .put("limits_request_key", "ip")
        .put("limits_connections_per_ip", 100)
        .put("demo_enabled", roles.equals("all"));
  }

  /** The hub's own Hazelcast config (quorum protection included) on the in-process test ports. */
  private Vertx clustered(String clusterName, JsonObject hubConfig) throws Exception {
    Config config = HazelcastSetup.hazelcastConfig(TestHubs.config(hubConfig).cluster());
    Config embedded = EmbeddedHazelcast.config(clusterName);
    config.setClusterName(clusterName);
    config.setNetworkConfig(embedded.getNetworkConfig());
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.tcp.join.port.try.count", "3");
    Vertx vertx = Vertx.builder().withClusterManager(new HazelcastClusterManager(config)).buildClustered().await(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    return vertx;
  }

  @Test
  void theMinoritySideRefusesLimitedRequestsWithStoreUnavailable() throws Exception {
    String clusterName = "streamhub-minority-limits-" + UUID.randomUUID();
    Vertx minority = clustered(clusterName, node("all"));
    Vertx otherNode = clustered(clusterName, node("edge"));
    Hub hub = Hub.start(minority, TestHubs.config(node("all"))).await(60, TimeUnit.SECONDS);
    Hub other = Hub.start(otherNode, TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS);
    HubClient client = new HubClient(minority, hub.port());
    assertEquals(200, client.get("/v1/models").await(30, TimeUnit.SECONDS).statusCode(), "with the quorum the limits count");

    other.stop().await(30, TimeUnit.SECONDS);
    otherNode.close().await(30, TimeUnit.SECONDS);
    nodes.remove(otherNode);
    // Hazelcast updates the protection's state a moment after the membership change
    TestHubs.eventually(minority, 20, 500, () -> io.vertx.core.Future.succeededFuture(!HazelcastSetup.hasQuorum(minority)))
        .await(30, TimeUnit.SECONDS);
    assertFalse(HazelcastSetup.hasQuorum(minority), "one data member of two: no quorum within 10 s");

    // a short API call and a reading connection, both counted by the limits: refused, not admitted
    for (String path : List.of("/v1/models", "/v1/streams/st_aaaaaaaaaaaaaaaaaaaaaa/events")) {
      HttpResponse<Buffer> refused = client.get(path).await(30, TimeUnit.SECONDS);
      assertEquals(503, refused.statusCode(), path + ": " + refused.bodyAsString());
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertEquals("store_unavailable", error.getString("code"), refused.bodyAsString());
      assertTrue(error.getString("message").contains("cluster_quorum"), error.getString("message"));
    }
    hub.stop().await(30, TimeUnit.SECONDS);
  }
}
