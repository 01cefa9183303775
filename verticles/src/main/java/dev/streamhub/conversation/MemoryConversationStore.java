package dev.streamhub.conversation;

import io.vertx.core.Future;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Conversations in this JVM's heap, for a single node; an entry unused for {@code ttlMs} is dropped when next met. */
public final class MemoryConversationStore implements ConversationStore {

  /** Every this many writes, a sweep drops every expired entry. */
  private static final int SWEEP_EVERY = 1024;

  private final long ttlMs;
  private final ConcurrentMap<String, Stored> conversations = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();

  public MemoryConversationStore(long ttlMs) {
    this.ttlMs = ttlMs;
  }

  private record Stored(String value, long expiresAt) {}

  @Override
  public Future<String> get(String id) {
    Stored stored = conversations.get(id);
    if (stored != null && stored.expiresAt <= System.currentTimeMillis()) {
      conversations.remove(id, stored);
      stored = null;
    }
    return Future.succeededFuture(stored == null ? null : stored.value);
  }

  @Override
  public Future<Boolean> compareAndSet(String id, String expected, String value) {
    long now = System.currentTimeMillis();
    boolean[] stored = new boolean[1];
    conversations.compute(id, (key, current) -> {
      String currentValue = current == null || current.expiresAt <= now ? null : current.value;
      if (!Objects.equals(currentValue, expected)) {
        return current;
      }
      stored[0] = true;
      return new Stored(value, now + ttlMs);
    });
    if (writes.incrementAndGet() % SWEEP_EVERY == 0) {
      conversations.values().removeIf(s -> s.expiresAt <= now);
    }
    return Future.succeededFuture(stored[0]);
  }

  @Override
  public Future<Boolean> delete(String id) {
    return Future.succeededFuture(conversations.remove(id) != null);
  }

  @Override
  public Future<Void> close() {
    conversations.clear();
    return Future.succeededFuture();
  }
}
