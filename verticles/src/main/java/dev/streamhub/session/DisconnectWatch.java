package dev.streamhub.session;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.internal.ClusterManagers;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cancel_on_disconnect}: cancels a generation once its last reader, anywhere in the cluster,
 * left and none came back within the stream's grace. Off by default (a generation goes on without
 * readers, so it can be resumed).
 *
 * <ul>
 *   <li>A request opts in with the body fields {@code "cancel_on_disconnect": true} and optionally
 *       {@code "disconnect_grace_ms"} (1 to {@code disconnect_grace_max_ms}, which is also the default),
 *       read by {@link #graceOf}; the stream is then entered in the shared map {@code streamhub.disconnect}
 *       ({@link #optIn}), which every node reads.</li>
 *   <li>When the last reader of a stream on this node closes before the stream ended (the client went
 *       away), {@link #lastLeft} looks the stream up; if it opted in, a check runs after the grace.</li>
 *   <li>The check asks every node of the cluster ({@code streamhub.readers.<node id>},
 *       {@link ReaderPresence}). A node with a reader open ends the watch (that node watches when its
 *       readers leave); a node that left within the grace defers the check to grace after that leave;
 *       a node that does not answer in {@code worker_accept_timeout_ms} defers it by a grace (never a
 *       cancel on a guess); a node without an edge (no handler) has no reader. Otherwise the stream
 *       is cancelled by the same path as {@code DELETE /v1/streams/{id}}: the log ends with
 *       {@code cancelled}.</li>
 * </ul>
 *
 * <p>One per edge event loop; the timers run there.
 */
public final class DisconnectWatch {

  private static final Logger LOG = LoggerFactory.getLogger(DisconnectWatch.class);
  /** The body field that opts in. */
  public static final String FIELD = "cancel_on_disconnect";
  /** The body field giving the grace in ms. */
  public static final String GRACE_FIELD = "disconnect_grace_ms";

  private final Vertx vertx;
  private final Function<String, Future<?>> cancel;
  private final long maxGraceMs;
  private final long answerTimeoutMs;
  private final long keepMs;
  private final ReaderPresence presence;

  /**
   * @param cancel cancels a stream as {@code DELETE /v1/streams/{id}} does; fails with {@code stream_finished} when it had ended
   * @param maxGraceMs {@code disconnect_grace_max_ms}
   * @param answerTimeoutMs how long a node may take to say whether it has readers
   * @param keepMs how long an opt-in is kept in the shared map (the longest a stream lives)
   */
  public DisconnectWatch(Vertx vertx, Function<String, Future<?>> cancel, long maxGraceMs, long answerTimeoutMs, long keepMs) {
    this.vertx = vertx;
    this.cancel = cancel;
    this.maxGraceMs = maxGraceMs;
    this.answerTimeoutMs = answerTimeoutMs;
    this.keepMs = keepMs;
    this.presence = ReaderPresence.of(vertx, maxGraceMs);
  }

  ReaderPresence presence() {
    return presence;
  }

  /**
   * The grace a request body asks for: -1 without {@code cancel_on_disconnect} (or with {@code false}),
   * else {@code disconnect_grace_ms} or {@code disconnect_grace_max_ms}. {@code bad_request} for a
   * non-boolean flag, a grace without the flag, or a grace that is not an integer from 1 to the max.
   */
  public long graceOf(JsonObject body) {
    Object flag = body.getValue(FIELD);
    Object grace = body.getValue(GRACE_FIELD);
    if (flag != null && !(flag instanceof Boolean)) {
      throw bad("'" + FIELD + "' must be a boolean");
    }
    boolean on = Boolean.TRUE.equals(flag);
    if (grace == null) {
      return on ? maxGraceMs : -1;
    }
    if (!on) {
      throw bad("'" + GRACE_FIELD + "' needs \"" + FIELD + "\": true");
    }
    if (!(grace instanceof Integer || grace instanceof Long) || ((Number) grace).longValue() < 1 || ((Number) grace).longValue() > maxGraceMs) {
      throw bad("'" + GRACE_FIELD + "' must be an integer number of milliseconds from 1 to " + maxGraceMs + " (disconnect_grace_max_ms)");
    }
    return ((Number) grace).longValue();
  }

  /** Enters {@code stream} for cancel on disconnect with {@code graceMs}; nothing for a negative grace. */
  public Future<Void> optIn(String stream, long graceMs) {
    if (graceMs < 0) {
      return Future.succeededFuture();
    }
    return optIns().compose(map -> map.put(stream, graceMs, keepMs));
  }

  /** The last reader of {@code stream} on this node closed before the stream ended. */
  void lastLeft(String stream) {
    optIns().compose(map -> map.get(stream))
        .onSuccess(grace -> {
          if (grace != null) {
            later(grace, stream, grace);
          }
        })
        .onFailure(err -> LOG.warn("cancel_on_disconnect: could not look up stream {}: {}", stream, err.getMessage()));
  }

  private void later(long delayMs, String stream, long grace) {
    vertx.setTimer(Math.max(1, delayMs), id -> check(stream, grace));
  }

  private void check(String stream, long grace) {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String node : nodes()) {
      answers.add(ask(node, stream));
    }
    Future.join(answers).onComplete(all -> {
      long lastLeft = 0;
      for (Future<JsonObject> answer : answers) {
        if (answer.failed()) {
          later(grace, stream, grace);
          return;
        }
        if (answer.result().getInteger("readers", 0) > 0) {
          return;
        }
        lastLeft = Math.max(lastLeft, answer.result().getLong("left_at", 0L));
      }
      long wait = lastLeft + grace - System.currentTimeMillis();
      if (wait > 0) {
        later(wait, stream, grace);
        return;
      }
      cancel.apply(stream)
          .onSuccess(cancelled -> LOG.info("stream {} cancelled: no reader came back within {} ms (cancel_on_disconnect)", stream, grace))
          .onFailure(err -> {
            if (HubException.of(err).code() != ErrorCode.STREAM_FINISHED) {
              LOG.warn("cancel_on_disconnect: could not cancel stream {}: {}", stream, err.getMessage());
            }
          })
          .onComplete(done -> optIns().compose(map -> map.remove(stream)));
    });
  }

  /** One node's answer; a node with no edge (no handler for its address) has no reader. */
  private Future<JsonObject> ask(String node, String stream) {
    return vertx.eventBus().<JsonObject>request(Addresses.readers(node), new JsonObject().put("stream", stream),
            new DeliveryOptions().setSendTimeout(answerTimeoutMs))
        .map(reply -> reply.body())
        .recover(err -> err instanceof ReplyException && ((ReplyException) err).failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture(new JsonObject().put("readers", 0).put("left_at", 0L))
            : Future.failedFuture(err));
  }

  private List<String> nodes() {
    ClusterManager manager = ClusterManagers.of(vertx);
    return manager == null ? List.of(HazelcastSetup.nodeId(vertx)) : manager.getNodes();
  }

  private Future<AsyncMap<String, Long>> optIns() {
    return vertx.sharedData().getAsyncMap(Addresses.DISCONNECT_MAP);
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
