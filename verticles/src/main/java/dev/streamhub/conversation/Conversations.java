package dev.streamhub.conversation;

import dev.streamhub.config.ConversationConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.worker.GenerateRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multi-turn context kept by the hub: a client sends only its new message with a
 * {@code conversation} id, and the model gets the whole history before it.
 *
 * <p>A turn: load the conversation (only its owner's: any other principal gets
 * {@code conversation_not_found}, 404, as for an unknown id), fill in the answers of streams that
 * ended since ({@link Answers}, from the log), start the generation with the context (user turns
 * and finished answers) followed by the request's messages, then record the request's user
 * messages and a {@code pending} answer for the new stream. A watcher fills the answer in once the
 * stream ended (polling the stream's meta, 200 ms doubling to 5 s); any later turn or read does
 * too, so an answer is recorded even if the node that started it died. Answers that ended in
 * {@code error} or {@code cancelled} are recorded as such and are not context.
 *
 * <p>Every change is read, change, compare-and-set on the {@link ConversationStore}, retried when
 * another node changed the conversation meanwhile; the oldest turns are dropped to stay within
 * {@code conversation_max_turns} and {@code conversation_max_bytes}.
 *
 * <p>One instance per hub node ({@link #install}); transports find it with {@link #of(Vertx)}.
 */
public final class Conversations {

  private static final Logger LOG = LoggerFactory.getLogger(Conversations.class);
  private static final Map<Vertx, Conversations> INSTALLED = Collections.synchronizedMap(new WeakHashMap<>());
  static final int CAS_ATTEMPTS = 16;
  static final long WATCH_FIRST_MS = 200;
  static final long WATCH_MAX_MS = 5000;
  static final int WATCH_ATTEMPTS = 2000;

  private final Vertx vertx;
  private final ConversationStore store;
  private final Answers answers;
  private final ConversationConfig config;

  public Conversations(Vertx vertx, ConversationStore store, StreamLog log, ConversationConfig config) {
    this.vertx = vertx;
    this.store = store;
    this.answers = new Answers(log);
    this.config = config;
  }

  /** What a turn started: the stream, and the conversation it belongs to (null when the request named none). */
  public record Started(StreamMeta meta, String conversation) {}

  /** Makes {@code conversations} the one transports of {@code vertx} use. */
  public static void install(Vertx vertx, Conversations conversations) {
    INSTALLED.put(vertx, conversations);
  }

  /** Forgets this node's conversations and closes its view of their store (the conversations stay in a shared store). */
  public static Future<Void> uninstall(Vertx vertx) {
    Conversations removed = INSTALLED.remove(vertx);
    return removed == null || removed.store == null ? Future.succeededFuture() : removed.store.close();
  }

  /** This node's conversations; fails every conversation request with {@code internal_error} if none was installed. */
  public static Conversations of(Vertx vertx) {
    Conversations installed = INSTALLED.get(vertx);
    return installed != null ? installed : new Conversations(vertx, null, null, ConversationConfig.defaults());
  }

  /**
   * Starts a generation in conversation {@code conversation} (a parsed {@code conversation} field:
   * null for none, {@link ConversationIds#NEW}, or an id): {@code generate} gets the messages the
   * model should see. Fails with {@code conversation_not_found} or whatever {@code generate} or the
   * store fails with ({@code store_unavailable}).
   */
  public Future<Started> start(String conversation, String owner, JsonArray messages, Function<JsonArray, Future<StreamMeta>> generate) {
    if (conversation == null) {
      return generate.apply(messages).map(meta -> new Started(meta, null));
    }
    if (store == null) {
      return Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversations are not available on this node"));
    }
    if (ConversationIds.NEW.equals(conversation)) {
      Conversation fresh = Conversation.fresh(ConversationIds.next(), owner, System.currentTimeMillis());
      return generate.apply(messages).compose(meta -> {
        Conversation first = fresh.append(newTurns(messages, meta.id()), config);
        return store.compareAndSet(fresh.id(), null, encode(first)).compose(stored -> stored
            ? watched(new Started(meta, fresh.id()))
            : Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversation id collision")));
      });
    }
    return get(conversation, owner).compose(current -> {
      JsonArray context = current.context();
      messages.forEach(context::add);
      return generate.apply(context)
          .compose(meta -> update(conversation, owner, c -> c.append(newTurns(messages, meta.id()), config))
              .compose(updated -> watched(new Started(meta, conversation))));
    });
  }

  /**
   * Starts a generation that continues conversation {@code conversation} right after the answer of
   * {@code afterStream} (how OpenAI's {@code previous_response_id} continues a response): the model
   * gets the conversation's context up to and including that answer, then {@code messages}. When
   * that answer is still the conversation's newest turn, the new turns are appended to it; when
   * later turns exist, or appear before the new ones are stored (another continuation of the same
   * answer), the new turns go to a new conversation holding the same earlier turns, so that neither
   * branch sees the other's turns. {@link Started#conversation} names the conversation the new turns
   * went to.
   *
   * <p>Fails with {@code conversation_not_found} when the conversation is not the caller's or no
   * longer holds a turn of {@code afterStream} (dropped by {@code conversation_max_turns} or
   * {@code conversation_max_bytes}), {@code bad_request} when that answer is still running, or
   * whatever {@code generate} or the store fails with.
   */
  public Future<Started> startAfter(String conversation, String afterStream, String owner, JsonArray messages,
      Function<JsonArray, Future<StreamMeta>> generate) {
    return get(conversation, owner).compose(current -> {
      Conversation prefix = current.upTo(afterStream);
      if (prefix == null) {
        return Future.failedFuture(new HubException(ErrorCode.CONVERSATION_NOT_FOUND, "conversation '" + conversation
            + "' no longer holds the answer of '" + afterStream + "'"));
      }
      if (prefix.turns().get(prefix.turns().size() - 1).pending()) {
        return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "the answer of '" + afterStream
            + "' is still being generated; continue it once it has ended"));
      }
      JsonArray context = prefix.context();
      messages.forEach(context::add);
      return generate.apply(context).compose(meta -> appendOrBranch(prefix, afterStream, newTurns(messages, meta.id()), CAS_ATTEMPTS)
          .compose(stored -> watched(new Started(meta, stored))));
    });
  }

  /** Appends {@code added} to the conversation if it still ends with {@code afterStream}, else to a branch of {@code prefix}; the id stored to. */
  private Future<String> appendOrBranch(Conversation prefix, String afterStream, List<Turn> added, int attempts) {
    return store.get(prefix.id()).compose(text -> {
      Conversation current = text == null ? null : Conversation.fromJson(new JsonObject(text));
      if (current == null || !current.owner().equals(prefix.owner()) || !current.endsWith(afterStream)) {
        Conversation branch = prefix.copy(ConversationIds.next(), System.currentTimeMillis()).append(added, config);
        return store.compareAndSet(branch.id(), null, encode(branch)).compose(stored -> stored
            ? Future.succeededFuture(branch.id())
            : Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversation id collision")));
      }
      return store.compareAndSet(prefix.id(), text, encode(current.append(added, config))).compose(stored -> {
        if (stored) {
          return Future.succeededFuture(prefix.id());
        }
        return attempts > 1
            ? appendOrBranch(prefix, afterStream, added, attempts - 1)
            : Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversation '" + prefix.id() + "' is changing too often"));
      });
    });
  }

  /**
   * Keeps {@code value} under {@code key} in the conversations' store, for as long as a
   * conversation ({@code conversation_ttl_seconds}): what points at a conversation from outside, as
   * a response's record ({@code resp_...}) does. {@code key} must not have the shape of a
   * conversation id. Written once: fails with {@code internal_error} if the key is taken.
   */
  public Future<Void> remember(String key, JsonObject value) {
    if (store == null) {
      return Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversations are not available on this node"));
    }
    if (ConversationIds.looksValid(key)) {
      return Future.failedFuture(new IllegalArgumentException("a record key may not look like a conversation id: " + key));
    }
    return store.compareAndSet(key, null, value.encode()).compose(stored -> stored
        ? Future.succeededFuture()
        : Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "record '" + key + "' exists")));
  }

  /** Drops what {@link #remember} kept under {@code key} (nothing to drop is fine). */
  public Future<Void> forget(String key) {
    if (store == null) {
      return Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversations are not available on this node"));
    }
    if (ConversationIds.looksValid(key)) {
      return Future.failedFuture(new IllegalArgumentException("a record key may not look like a conversation id: " + key));
    }
    return store.delete(key).mapEmpty();
  }

  /** What {@link #remember} kept under {@code key}, or null (never kept, or expired). */
  public Future<JsonObject> recall(String key) {
    if (store == null) {
      return Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversations are not available on this node"));
    }
    return store.get(key).map(text -> text == null ? null : new JsonObject(text));
  }

  /** The caller's conversation with every ended answer filled in; {@code conversation_not_found} otherwise. */
  public Future<Conversation> get(String id, String owner) {
    return load(id, owner).compose(this::resolvePending);
  }

  /** Deletes the caller's conversation; {@code conversation_not_found} if it has none of this id. */
  public Future<Void> delete(String id, String owner) {
    return load(id, owner).compose(found -> store.delete(id)).mapEmpty();
  }

  private Future<Conversation> load(String id, String owner) {
    if (store == null) {
      return Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversations are not available on this node"));
    }
    if (!ConversationIds.looksValid(id)) {
      return Future.failedFuture(notFound(id));
    }
    return store.get(id).map(text -> {
      Conversation found = text == null ? null : Conversation.fromJson(new JsonObject(text));
      if (found == null || !found.owner().equals(owner)) {
        throw notFound(id);
      }
      return found;
    });
  }

  /** Fills in the answers of streams that ended; stores the result if anything changed. */
  private Future<Conversation> resolvePending(Conversation conversation) {
    if (!conversation.hasPending()) {
      return Future.succeededFuture(conversation);
    }
    List<Future<Turn>> resolving = new ArrayList<>();
    conversation.turns().stream().filter(Turn::pending).forEach(t -> resolving.add(answers.resolve(t)));
    return Future.all(resolving).compose(all -> {
      Map<String, Turn> ended = new HashMap<>();
      resolving.forEach(f -> {
        if (!f.result().pending()) {
          ended.put(f.result().stream(), f.result());
        }
      });
      if (ended.isEmpty()) {
        return Future.succeededFuture(conversation);
      }
      return update(conversation.id(), conversation.owner(),
          c -> c.map(t -> t.pending() && ended.containsKey(t.stream()) ? ended.get(t.stream()) : t, config));
    });
  }

  /** Read, change, compare-and-set; again if someone else changed it in between. */
  private Future<Conversation> update(String id, String owner, UnaryOperator<Conversation> change) {
    return update(id, owner, change, CAS_ATTEMPTS);
  }

  private Future<Conversation> update(String id, String owner, UnaryOperator<Conversation> change, int attempts) {
    return store.get(id).compose(text -> {
      Conversation current = text == null ? null : Conversation.fromJson(new JsonObject(text));
      if (current == null || !current.owner().equals(owner)) {
        return Future.failedFuture(notFound(id));
      }
      Conversation changed = change.apply(current);
      return store.compareAndSet(id, text, encode(changed)).compose(stored -> {
        if (stored) {
          return Future.succeededFuture(changed);
        }
        return attempts > 1
            ? update(id, owner, change, attempts - 1)
            : Future.failedFuture(new HubException(ErrorCode.INTERNAL_ERROR, "conversation '" + id + "' is changing too often"));
      });
    });
  }

  private Future<Started> watched(Started started) {
    watch(started.conversation(), started.meta().id(), WATCH_FIRST_MS, WATCH_ATTEMPTS);
    return Future.succeededFuture(started);
  }

  /** Fills the answer of {@code stream} in once the stream has ended. */
  private void watch(String conversation, String stream, long delayMs, int attemptsLeft) {
    if (attemptsLeft == 0) {
      return;
    }
    vertx.setTimer(delayMs, t -> answers.resolve(Turn.pendingAnswer(stream))
        .onSuccess(turn -> {
          if (turn.pending()) {
            watch(conversation, stream, Math.min(WATCH_MAX_MS, delayMs * 2), attemptsLeft - 1);
          } else {
            store.get(conversation)
                .map(text -> text == null ? null : Conversation.fromJson(new JsonObject(text)))
                .compose(c -> c == null ? Future.succeededFuture() : update(conversation, c.owner(),
                    current -> current.map(old -> old.pending() && stream.equals(old.stream()) ? turn : old, config)))
                .onFailure(err -> LOG.debug("conversation {}: answer of {} not recorded yet: {}", conversation, stream, err.getMessage()));
          }
        })
        .onFailure(err -> watch(conversation, stream, WATCH_MAX_MS, attemptsLeft - 1)));
  }

  /** The request's user messages and a pending answer, all of {@code stream}. */
  private static List<Turn> newTurns(JsonArray messages, String stream) {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject message = messages.getJsonObject(i);
      if (Turn.USER.equals(message.getString("role"))) {
        turns.add(Turn.user(GenerateRequest.textOf(message), stream));
      }
    }
    turns.add(Turn.pendingAnswer(stream));
    return turns;
  }

  private static String encode(Conversation conversation) {
    return conversation.toJson().encode();
  }

  private static HubException notFound(String id) {
    return new HubException(ErrorCode.CONVERSATION_NOT_FOUND, "no conversation '" + id + "'");
  }
}
