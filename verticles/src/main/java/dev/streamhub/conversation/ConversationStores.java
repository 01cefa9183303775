package dev.streamhub.conversation;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.ConversationConfig;
import dev.streamhub.config.StreamLogConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Builds the {@link ConversationStore} of the configured log store: conversations live where the logs do. */
public final class ConversationStores {

  private ConversationStores() {}

  public static Future<ConversationStore> create(Vertx vertx, StreamLogConfig log, ConversationConfig config) {
    switch (log.store()) {
      case "memory":
        return Future.succeededFuture(new MemoryConversationStore(config.ttlSeconds() * 1000));
      case "hazelcast":
        return HazelcastSetup.hazelcast(vertx)
            .map(hazelcast -> HazelcastConversationStore.create(vertx, hazelcast, config.ttlSeconds()))
            .orElseGet(() -> Future.failedFuture(new IllegalStateException("conversations in 'hazelcast' need a clustered node")));
      case "redis":
        return Future.succeededFuture(new RedisConversationStore(vertx, log.redisUrl(), log.redisTimeoutMs(), config.ttlSeconds() * 1000));
      default:
        return Future.failedFuture(new IllegalArgumentException("unknown log_store '" + log.store() + "'"));
    }
  }
}
