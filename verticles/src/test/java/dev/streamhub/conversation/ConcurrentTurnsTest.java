package dev.streamhub.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.config.ConversationConfig;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.memory.MemoryStreamLog;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Turns of one conversation started at once (as on two nodes) are all kept: compare-and-set retries, nothing is overwritten. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentTurnsTest {

  private static final int TURNS = 8;

  @Test
  void simultaneousTurnsOnRedisAreAllRecorded() throws Exception {
    try (RedisServer redis = RedisServer.startNew(false)) {
      Vertx vertx = Vertx.vertx();
      try {
        StreamLog log = new MemoryStreamLog(StreamLogConfig.defaults());
        // two "nodes": two Conversations, each with its own connections to the one Redis
        List<Conversations> nodes = List.of(
            new Conversations(vertx, new RedisConversationStore(vertx, redis.url(), 5000, 60_000), log, ConversationConfig.defaults()),
            new Conversations(vertx, new RedisConversationStore(vertx, redis.url(), 5000, 60_000), log, ConversationConfig.defaults()));
        String id = nodes.get(0).start(ConversationIds.NEW, "alice", user("first"), messages -> created(log))
            .await(30, TimeUnit.SECONDS).conversation();

        List<Future<Conversations.Started>> turns = new ArrayList<>();
        for (int i = 0; i < TURNS; i++) {
          turns.add(nodes.get(i % 2).start(id, "alice", user("turn " + i), messages -> created(log)));
        }
        Future.all(turns).await(30, TimeUnit.SECONDS);

        Conversation stored = nodes.get(1).get(id, "alice").await(30, TimeUnit.SECONDS);
        Set<String> userTexts = stored.turns().stream().filter(t -> t.role().equals("user")).map(Turn::content).collect(Collectors.toSet());
        Set<String> expected = new java.util.HashSet<>(Set.of("first"));
        for (int i = 0; i < TURNS; i++) {
          expected.add("turn " + i);
        }
        assertEquals(expected, userTexts);
        assertEquals(2 * (TURNS + 1), stored.turns().size());
        Set<String> streams = turns.stream().map(f -> f.result().meta().id()).collect(Collectors.toSet());
        Set<String> answered = stored.turns().stream().filter(t -> t.role().equals("assistant")).map(Turn::stream).collect(Collectors.toSet());
        assertEquals(TURNS, streams.size());
        assertEquals(true, answered.containsAll(streams), "every turn's answer is recorded");
      } finally {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonArray user(String text) {
    return new JsonArray().add(new JsonObject().put("role", "user").put("content", text));
  }

  private static Future<StreamMeta> created(StreamLog log) {
    return log.create(StreamMeta.fresh(StreamIds.next(), "alice", "demo", System.currentTimeMillis()));
  }
}
