package dev.streamhub.conversation;

import io.vertx.core.Future;

/**
 * Where conversations live: the store the stream log uses (memory, Hazelcast, Redis), keyed by id,
 * each value the conversation's JSON text. One primitive for changes, compare-and-set, so that
 * two turns of one conversation arriving on two nodes at once never lose each other's update:
 * {@link Conversations} reads, changes, and swaps, and retries if the stored text changed.
 *
 * <p>Failures: {@code store_unavailable} when the store cannot be reached (Redis); nothing else.
 */
public interface ConversationStore {

  /** The stored JSON text, or null when there is none (never stored, deleted, or expired). */
  Future<String> get(String id);

  /**
   * Stores {@code value} if the stored text is still {@code expected} (null: nothing stored), and
   * resets the conversation's time to live.
   *
   * @return whether it was stored
   */
  Future<Boolean> compareAndSet(String id, String expected, String value);

  /** @return whether there was something to delete */
  Future<Boolean> delete(String id);

  Future<Void> close();
}
