package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.config.Config;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.EmbeddedHazelcast;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The model registry lists what live nodes serve: two clustered Vert.x nodes on embedded Hazelcast,
 * each listing models; a node that leaves without removing its entries (as a killed node cannot)
 * stops being counted, a model served by a node that is still there stays listed, and a removed
 * entry is gone at once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ModelRegistryTest {

  private Vertx first;
  private Vertx second;

  @AfterEach
  void close() {
    for (Vertx vertx : new Vertx[] {first, second}) {
      if (vertx != null) {
        vertx.close().await();
      }
    }
  }

  private static Vertx node(Config config) {
    return Vertx.builder().withClusterManager(new HazelcastClusterManager(config)).buildClustered()
        .timeout(60, TimeUnit.SECONDS).await();
  }

  private static JsonObject model(String id) {
    return new JsonObject().put("id", id).put("object", "model").put("created", 1L).put("owned_by", "test");
  }

  private static List<String> ids(ModelRegistry registry) {
    return registry.live().timeout(10, TimeUnit.SECONDS).await().stream().map(m -> m.getString("id")).collect(Collectors.toList());
  }

  @Test
  void aNodeThatLeftIsNoLongerCountedAndOnlyItsModelsGo() {
    Config config = EmbeddedHazelcast.config();
    first = node(config);
    second = node(EmbeddedHazelcast.config(config.getClusterName()));
    ModelRegistry onFirst = new ModelRegistry(first);
    ModelRegistry onSecond = new ModelRegistry(second);
    onFirst.add(ModelRegistry.WORKER, model("only-first")).await();
    onFirst.add(ModelRegistry.WORKER, model("shared")).await();
    onSecond.add(ModelRegistry.WORKER, model("shared")).await();
    onSecond.add(ModelRegistry.BRIDGE, model("bridged")).await();
    assertEquals(List.of("bridged", "only-first", "shared"), ids(onSecond));
    assertEquals(true, onSecond.serves("only-first").await());

    first.close().await();
    first = null;

    // the entries of the first node are still in the map: only membership tells they are dead
    TestHubs.eventually(second, 50, 400, () -> onSecond.live().map(models -> models.size() == 2)).timeout(30, TimeUnit.SECONDS).await();
    assertEquals(List.of("bridged", "shared"), ids(onSecond));
    assertEquals(false, onSecond.serves("only-first").await());

    onSecond.remove(ModelRegistry.BRIDGE, "bridged").await();
    assertEquals(List.of("shared"), ids(onSecond));
  }
}
