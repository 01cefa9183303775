package dev.streamhub.streamlog.redis;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the commands of every stream to Redis in shared round trips (group commit).
 *
 * <p>Any event loop may {@link #send} a command; it joins a queue. At most one batch is in flight:
 * the first command of an idle batcher schedules a flush on the batcher's context, which takes
 * everything queued (up to {@value #MAX_BATCH} commands) and writes it as one pipelined
 * {@code batch} (one write, one round trip); commands that arrive meanwhile wait for the reply and
 * leave together in the next batch. So a hub with 1,000 live streams each appending a token per
 * token time sends about one batch per Redis round trip, not 1,000 round trips; the busier the hub,
 * the bigger the batches. One batch in flight also keeps the order of one appender's commands:
 * they reach Redis in the order they were sent.
 *
 * <p>Joined commands: parts sent with a {@link Joiner} (the stream appends) that follow each other
 * in the queue leave as one request the joiner makes of them, and the elements of its array reply
 * answer the parts in order; any other command between them starts a new request, so the order
 * of all commands holds. A batch of appends is then one command for Redis to parse and one reply
 * for the hub, not one per append.
 *
 * <p>Failures: a batch that has no answer within {@code timeoutMs} (connect included), or whose
 * connection failed, fails each of its commands with {@code store_unavailable} (503); the pool
 * opens a new connection for the next batch, so the store reconnects by itself when Redis is back.
 * A command so failed may still have run in Redis; it was never acknowledged, so nothing
 * acknowledged is lost. A {@code NOSCRIPT} answer (Redis restarted with an empty script cache)
 * loads every script and sends the batch again, once: {@code EVALSHA} of an unknown script runs
 * nothing, and the other commands the store batches are reads. Replies complete each caller's
 * future on the caller's own context, with one task per context and batch (not one per command).
 */
final class CommandBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(CommandBatcher.class);
  static final int MAX_BATCH = 1000;

  private final Redis redis;
  private final Context context;
  private final long timeoutMs;
  private final List<RedisScript> scripts;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong batches = new AtomicLong();
  private volatile boolean reachable = true;

  CommandBatcher(Vertx vertx, Redis redis, long timeoutMs, List<RedisScript> scripts) {
    this.redis = redis;
    this.context = vertx.getOrCreateContext();
    this.timeoutMs = timeoutMs;
    this.scripts = scripts;
  }

  /** Queues {@code request} for the next batch; the future completes on the caller's context. */
  Future<Response> send(Request request) {
    return enqueue(new Pending(request, null, null, Promise.promise(), Vertx.currentContext()));
  }

  /**
   * Queues {@code part} of a command that {@code joiner} makes for many callers at once: the parts
   * of one joiner queued one after the other (nothing else between them) leave as one request,
   * and each part's future gets its element of that request's array reply, on the caller's context.
   */
  <P> Future<Response> send(Joiner<P> joiner, P part) {
    return enqueue(new Pending(null, joiner, part, Promise.promise(), Vertx.currentContext()));
  }

  private Future<Response> enqueue(Pending pending) {
    queue.add(pending);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> flush());
    }
    return pending.promise.future();
  }

  /** Runs {@code script} by its SHA. */
  Future<Response> eval(RedisScript script, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return send(request);
  }

  /** How many batches (round trips) were sent so far, retries included. */
  long batchesSent() {
    return batches.get();
  }

  /** Whether the last batch reached Redis (for logs; readiness asks with a real command). */
  boolean reachable() {
    return reachable;
  }

  /** On the batcher's context: sends what is queued, then again until the queue is empty. */
  private void flush() {
    List<Pending> batch = new ArrayList<>();
    Pending next;
    while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      scheduled.set(false);
      // a command queued after the poll above but before the flag was cleared found it set
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        flush();
      }
      return;
    }
    // requests[r] answers batch[starts[r]] (a plain command) or batch[starts[r] ..] (the parts it joined)
    List<Request> requests = new ArrayList<>();
    int[] starts = new int[batch.size() + 1];
    for (int i = 0; i < batch.size(); ) {
      starts[requests.size()] = i;
      Pending first = batch.get(i);
      if (first.joiner == null) {
        requests.add(first.request);
        i++;
        continue;
      }
      int end = i + 1;
      while (end < batch.size() && batch.get(end).joiner == first.joiner) {
        end++;
      }
      requests.add(join(first.joiner, batch.subList(i, end)));
      i = end;
    }
    starts[requests.size()] = batch.size();
    sendBatch(requests)
        .recover(err -> isNoScript(err) ? loadScripts().compose(loaded -> sendBatch(requests)) : Future.failedFuture(err))
        .onSuccess(replies -> {
          markReachable(true, null);
          answer(batch, perCommand(batch, replies, starts), null);
        })
        .onFailure(err -> answer(batch, null, unavailable(err)))
        .onComplete(done -> flush()); // the next batch goes once this one is answered, either way
  }

  @SuppressWarnings("unchecked")
  private static <P> Request join(Joiner<P> joiner, List<Pending> parts) {
    List<P> joined = new ArrayList<>(parts.size());
    parts.forEach(p -> joined.add((P) p.part));
    return joiner.join(joined);
  }

  /** Each queued command's reply: a joined request's array reply split among its parts. */
  private static List<Response> perCommand(List<Pending> batch, List<Response> replies, int[] starts) {
    List<Response> each = new ArrayList<>(batch.size());
    for (int r = 0; r < replies.size(); r++) {
      Response reply = replies.get(r);
      if (batch.get(starts[r]).joiner == null) {
        each.add(reply);
      } else {
        for (int i = 0; i < starts[r + 1] - starts[r]; i++) {
          each.add(reply.get(i));
        }
      }
    }
    return each;
  }

  private Future<List<Response>> sendBatch(List<Request> requests) {
    batches.incrementAndGet();
    return redis.batch(requests).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private Future<Void> loadScripts() {
    List<Request> loads = new ArrayList<>();
    scripts.forEach(s -> loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())));
    LOG.info("loading {} Lua scripts into Redis (its script cache was empty)", loads.size());
    return sendBatch(loads).mapEmpty();
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().contains("NOSCRIPT");
  }

  private HubException unavailable(Throwable err) {
    if (err instanceof HubException) {
      return (HubException) err;
    }
    boolean connectionProblem = !(err.getMessage() != null && err.getMessage().startsWith("ERR ["));
    if (!connectionProblem) {
      // Redis answered with an error: a bug or a key of the wrong type, not an outage
      LOG.error("Redis refused a batch: {}", err.getMessage());
      return new HubException(ErrorCode.INTERNAL_ERROR, "the stream store refused the request");
    }
    markReachable(false, err);
    return new HubException(ErrorCode.STORE_UNAVAILABLE, "the stream store (Redis) is unavailable; retry later");
  }

  private void markReachable(boolean now, Throwable err) {
    if (reachable != now) {
      reachable = now;
      if (now) {
        LOG.info("Redis answers again");
      } else {
        LOG.warn("Redis is unavailable: {}", err.toString());
      }
    }
  }

  /**
   * Completes each command of {@code batch} with its reply, or fails it with {@code failure}, on
   * its caller's context: one task per context for the whole batch (a hub has a few event loops
   * and hundreds of commands per batch), each completing its commands in batch order, so one
   * caller's commands still complete in the order they were sent. Commands sent from outside any
   * context complete here.
   */
  private static void answer(List<Pending> batch, List<Response> replies, HubException failure) {
    List<Answers> byContext = new ArrayList<>(4);
    for (int i = 0; i < batch.size(); i++) {
      Pending pending = batch.get(i);
      Response reply = replies == null ? null : replies.get(i);
      if (pending.caller == null) {
        pending.settle(reply, failure);
        continue;
      }
      Answers answers = null;
      for (Answers a : byContext) {
        if (a.context == pending.caller) {
          answers = a;
          break;
        }
      }
      if (answers == null) {
        answers = new Answers(pending.caller, failure);
        byContext.add(answers);
      }
      answers.add(pending, reply);
    }
    for (Answers answers : byContext) {
      answers.context.runOnContext(answers);
    }
  }

  /**
   * Makes one request of many callers' parts (say, one run of the append script for many streams);
   * its reply must be an array with one element per part, in order.
   */
  interface Joiner<P> {
    Request join(List<P> parts);
  }

  /** A queued command (a request, or a part for a joiner) and whom to tell. */
  private record Pending(Request request, Joiner<?> joiner, Object part, Promise<Response> promise, Context caller) {

    void settle(Response reply, HubException failure) {
      if (failure == null) {
        promise.complete(reply);
      } else {
        promise.fail(failure);
      }
    }
  }

  /** The replies of one batch for the commands one context sent, completed there in order. */
  private static final class Answers implements Handler<Void> {
    private final Context context;
    private final HubException failure;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Response> replies = new ArrayList<>();

    Answers(Context context, HubException failure) {
      this.context = context;
      this.failure = failure;
    }

    void add(Pending command, Response reply) {
      pending.add(command);
      replies.add(reply);
    }

    @Override
    public void handle(Void v) {
      for (int i = 0; i < pending.size(); i++) {
        try {
          pending.get(i).settle(replies.get(i), failure);
        } catch (RuntimeException e) {
          // one caller's failing callback must not keep the others of this batch from their replies
          LOG.error("a Redis reply's callback failed", e);
        }
      }
    }
  }
}
