package dev.streamhub.streamlog.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.NodeProcess;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.Event;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two hub nodes, each in its own JVM, clustered by Hazelcast (the live event bus) with their logs
 * in one real redis-server ({@code STREAMHUB_STORE=redis://...}): a stream created on one node is
 * read in part there, then resumed on the other from the next offset, exactly; and the log a
 * third party reads from Redis is the same, event for event.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisClusterIT {

  private static final int ANSWER_TOKENS = 80;
  private static final long WAIT_S = 60;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    vertx.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void aStreamCreatedOnOneNodeResumesExactlyOnTheOther() throws Exception {
    RedisServer redis = RedisServer.startNew(false);
    closing.add(redis);
    String cluster = "streamhub-redis-it-" + UUID.randomUUID();
    Map<String, String> env = Map.of(
        "STREAMHUB_STORE", redis.url(),
        "STREAMHUB_DEMO_TTFT_MS", "0",
        "STREAMHUB_DEMO_TOKENS_PER_SECOND", "40",
        "STREAMHUB_DEMO_ANSWER_TOKENS", Integer.toString(ANSWER_TOKENS),
        "STREAMHUB_SSE_HEARTBEAT_MS", "500");
    NodeProcess a = NodeProcess.start("redis-a", cluster, "all", env);
    closing.add(a);
    NodeProcess b = NodeProcess.start("redis-b", cluster, "all", env);
    closing.add(b);
    HubClient onA = new HubClient(vertx, a.port());
    HubClient onB = new HubClient(vertx, b.port());
    awaitMembers(onA, 2);
    awaitMembers(onB, 2);

    String stream = onA.createStream(TestHubs.chat("resume me on the other node", 5L)).await(WAIT_S, TimeUnit.SECONDS);
    HubClient.LiveSse first = onA.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap())
        .await(WAIT_S, TimeUnit.SECONDS);
    List<SseFrame> part = first.until(frames -> SseFrame.events(frames).size() >= 10).await(WAIT_S, TimeUnit.SECONDS);
    first.disconnect().await(WAIT_S, TimeUnit.SECONDS);
    List<SseFrame> seenOnA = SseFrame.events(part);
    String lastId = seenOnA.get(seenOnA.size() - 1).id();

    HubClient.LiveSse rest = onB.openSse("/v1/streams/" + stream + "/events",
        MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", lastId)).await(WAIT_S, TimeUnit.SECONDS);
    List<SseFrame> seenOnB = SseFrame.events(rest.ended().await(WAIT_S, TimeUnit.SECONDS));

    List<String> resumed = new ArrayList<>();
    seenOnA.forEach(f -> resumed.add(f.data()));
    seenOnB.forEach(f -> resumed.add(f.data()));
    List<Long> offsets = resumed.stream().map(d -> new JsonObject(d).getLong("offset")).collect(Collectors.toList());
    assertEquals(LongStream.range(0, ANSWER_TOKENS + 2).boxed().collect(Collectors.toList()), offsets);
    assertEquals("done", new JsonObject(resumed.get(resumed.size() - 1)).getString("type"));

    StreamLog direct = RedisStreamLog.create(vertx, StreamLogConfig.defaults().withRedis(redis.url())).await(WAIT_S, TimeUnit.SECONDS);
    List<Event> stored = direct.read(stream, 0, 1000).await(WAIT_S, TimeUnit.SECONDS).events();
    assertEquals(resumed.stream().map(JsonObject::new).collect(Collectors.toList()),
        stored.stream().map(Event::toJson).collect(Collectors.toList()));
    direct.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private void awaitMembers(HubClient client, int count) throws Exception {
    TestHubs.eventually(vertx, 200, 300, () -> client.get("/v1/cluster").map(resp -> {
      if (resp.statusCode() != 200) {
        return false;
      }
      JsonArray members = resp.bodyAsJsonObject().getJsonArray("members");
      return members.size() == count && members.stream().allMatch(m -> !((JsonObject) m).getJsonArray("roles").isEmpty());
    }).otherwise(false)).await(WAIT_S * 2, TimeUnit.SECONDS);
  }
}
