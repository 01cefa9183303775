package dev.streamhub.conversation;

import dev.streamhub.config.ConversationConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A conversation as stored: its id, owner, creation time (ms since the epoch) and turns, oldest
 * first. Immutable; every change makes a new one, which the {@link ConversationStore} swaps in
 * only if nobody changed the stored one meanwhile.
 */
public record Conversation(String id, String owner, long createdAt, List<Turn> turns) {

  public Conversation {
    turns = List.copyOf(turns);
  }

  static Conversation fresh(String id, String owner, long createdAt) {
    return new Conversation(id, owner, createdAt, List.of());
  }

  /** The context a model gets before the new messages: user turns and finished answers. */
  JsonArray context() {
    JsonArray messages = new JsonArray();
    turns.stream().filter(Turn::isContext).forEach(t -> messages.add(t.message()));
    return messages;
  }

  /** With {@code added} at the end, then the oldest turns dropped to fit {@code limits}. */
  Conversation append(List<Turn> added, ConversationConfig limits) {
    List<Turn> all = new ArrayList<>(turns);
    all.addAll(added);
    return new Conversation(id, owner, createdAt, all).bounded(limits, added.size());
  }

  /** With each turn replaced by {@code change}, then bounded by {@code limits}. */
  Conversation map(UnaryOperator<Turn> change, ConversationConfig limits) {
    List<Turn> changed = new ArrayList<>(turns.size());
    turns.forEach(t -> changed.add(change.apply(t)));
    return new Conversation(id, owner, createdAt, changed).bounded(limits, 1);
  }

  /** Drops the oldest turns until at most {@code maxTurns} and {@code maxBytes} remain, but never the newest {@code keep}. */
  private Conversation bounded(ConversationConfig limits, int keep) {
    List<Turn> kept = new ArrayList<>(turns);
    long bytes = 0;
    for (Turn t : kept) {
      bytes += bytes(t);
    }
    while (kept.size() > keep && (kept.size() > limits.maxTurns() || bytes > limits.maxBytes())) {
      bytes -= bytes(kept.remove(0));
    }
    return kept.size() == turns.size() ? this : new Conversation(id, owner, createdAt, kept);
  }

  private static long bytes(Turn turn) {
    return turn.toJson().encode().getBytes(StandardCharsets.UTF_8).length + 1L;
  }

  /**
   * This conversation cut right after the last turn of {@code stream} (its answer), or null when it
   * holds no turn of that stream (never did, or the bounds dropped it).
   */
  Conversation upTo(String stream) {
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (stream.equals(turns.get(i).stream())) {
        return i == turns.size() - 1 ? this : new Conversation(id, owner, createdAt, turns.subList(0, i + 1));
      }
    }
    return null;
  }

  /** Whether the newest turn is of {@code stream}: nothing was added after that stream's answer. */
  boolean endsWith(String stream) {
    return !turns.isEmpty() && stream.equals(turns.get(turns.size() - 1).stream());
  }

  /** The same turns as a new conversation {@code newId} of the same owner (a branch), created at {@code createdAt}. */
  Conversation copy(String newId, long createdAt) {
    return new Conversation(newId, owner, createdAt, turns);
  }

  /** Whether some answer is still running. */
  boolean hasPending() {
    return turns.stream().anyMatch(Turn::pending);
  }

  /** The stored and the client-facing form: {@code {id, object, owner, created, turns}} ({@code created} in seconds). */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    turns.forEach(t -> list.add(t.toJson()));
    return new JsonObject()
        .put("id", id)
        .put("object", "conversation")
        .put("owner", owner)
        .put("created_ms", createdAt)
        .put("created", createdAt / 1000)
        .put("turns", list);
  }

  static Conversation fromJson(JsonObject json) {
    List<Turn> turns = new ArrayList<>();
    json.getJsonArray("turns", new JsonArray()).forEach(t -> turns.add(Turn.fromJson((JsonObject) t)));
    return new Conversation(json.getString("id"), json.getString("owner"), json.getLong("created_ms", 0L), turns);
  }
}
