package dev.streamhub.conversation;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * Conversations in the Hazelcast cluster's memory: map {@code streamhub.conversations} (one backup,
 * and the configured time to live unless {@code cluster-config/} configures the map), values the
 * JSON text. Compare-and-set is an entry processor run by the key's owner; every call is async.
 */
public final class HazelcastConversationStore implements ConversationStore {

  public static final String MAP = "streamhub.conversations";

  private final Vertx vertx;
  private final IMap<String, String> map;

  private HazelcastConversationStore(Vertx vertx, IMap<String, String> map) {
    this.vertx = vertx;
    this.map = map;
  }

  public static Future<ConversationStore> create(Vertx vertx, HazelcastInstance hazelcast, long ttlSeconds) {
    return vertx.executeBlocking(() -> {
      if (hazelcast.getConfig().getMapConfigOrNull(MAP) == null) {
        hazelcast.getConfig().addMapConfig(new MapConfig(MAP).setBackupCount(1)
            .setTimeToLiveSeconds((int) Math.min(Integer.MAX_VALUE, ttlSeconds)));
      }
      IMap<String, String> map = hazelcast.getMap(MAP);
      return new HazelcastConversationStore(vertx, map);
    });
  }

  @Override
  public Future<String> get(String id) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(map.getAsync(id), context);
  }

  @Override
  public Future<Boolean> compareAndSet(String id, String expected, String value) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(map.submitToKey(id, new CompareAndSet(expected, value)), context);
  }

  @Override
  public Future<Boolean> delete(String id) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(map.removeAsync(id), context).map(Objects::nonNull);
  }

  /** The map is the cluster's: closing one node's view leaves the conversations to the others. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Sets the value if the current one is {@code expected}; run by the key's owner, one at a time per partition. */
  static final class CompareAndSet implements EntryProcessor<String, String, Boolean>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String expected;
    private final String value;

    CompareAndSet(String expected, String value) {
      this.expected = expected;
      this.value = value;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (!Objects.equals(entry.getValue(), expected)) {
        return false;
      }
      entry.setValue(value);
      return true;
    }
  }
}
