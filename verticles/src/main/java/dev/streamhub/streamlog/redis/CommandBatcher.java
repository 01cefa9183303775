package dev.streamhub.streamlog.redis;

import dev.streamhub.internal.EventLoopContexts;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the commands of every stream to Redis in shared round trips (group commit), pipelined.
 *
 * <p>Lanes: each event loop that sends commands has a lane of its own, with its own Redis
 * connection on that loop (commands sent from outside any event loop share one more lane). A
 * command joins its lane's queue; the first command of an idle lane schedules a flush on the lane's
 * loop (so that every command the current task sends joins), which takes everything queued (up to
 * {@value #MAX_BATCH} commands) and writes it as one pipelined {@code batch}: one write, one round
 * trip. Up to {@value #MAX_IN_FLIGHT} batches of a lane are in flight at once, so a command waits
 * for the next flush, not for the answer to the batch before it; past that, commands wait for a
 * slot and leave together, so the busier the hub, the bigger the batches. A hub with 1,000 live
 * streams appending a token per token time thus sends one batch per flush, not 1,000 round trips.
 * The replies are parsed on the loop that sent the batch, and each caller on that loop is answered
 * there without a task switch ({@link EventLoopContexts#runAs}).
 *
 * <p>Order: one caller's commands are in one lane, written in the order they were sent on one
 * connection, which Redis answers in order; so however many batches are in flight, they run in
 * the order they were sent.
 *
 * <p>Joined commands: parts sent with a {@link Joiner} (the stream appends) that follow each other
 * in the queue leave as one request the joiner makes of them, and the elements of its array reply
 * answer the parts in order; any other command between them starts a new request, so the order
 * of all commands holds. A batch of appends is then one command for Redis to parse and one reply
 * for the hub, not one per append.
 *
 * <p>Failures: a batch that has no answer within {@code timeoutMs} (connect included), or whose
 * connection failed, fails each of its commands with {@code store_unavailable} (503); the lane then
 * takes a new connection for its next batch, so the store reconnects by itself when Redis is back.
 * A command so failed may still have run in Redis; it was never acknowledged, so nothing
 * acknowledged is lost. Every connection loads the Lua scripts before its first batch (Redis
 * restarted with an empty script cache, so a new connection's {@code EVALSHA} finds them). A
 * {@code NOSCRIPT} answer (the cache was flushed under a live connection) loads them again and
 * sends the batch again, once, when no later batch of its lane is in flight ({@code EVALSHA} of an
 * unknown script runs nothing, and the other commands the store batches are reads); with later
 * batches in flight, which may have run, its commands fail with {@code store_unavailable} instead,
 * so that nothing runs out of order.
 */
final class CommandBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(CommandBatcher.class);
  static final int MAX_BATCH = 1000;
  /** Batches of one lane written and not yet answered, at most. */
  static final int MAX_IN_FLIGHT = 4;

  private final Vertx vertx;
  private final Redis redis;
  private final long timeoutMs;
  private final List<RedisScript> scripts;
  /** The lane of commands sent from outside any event loop. */
  private final Lane outside;
  private final ConcurrentHashMap<EventLoop, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong mostInFlight = new AtomicLong();
  private volatile boolean reachable = true;

  CommandBatcher(Vertx vertx, Redis redis, long timeoutMs, List<RedisScript> scripts) {
    this.vertx = vertx;
    this.redis = redis;
    this.timeoutMs = timeoutMs;
    this.scripts = scripts;
    this.outside = new Lane(vertx.getOrCreateContext());
  }

  /** Queues {@code request} for its lane's next batch; the future completes on the caller's context. */
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
    EventLoop loop = EventLoopContexts.loopOf(pending.caller);
    Lane lane = loop == null ? outside : lanes.computeIfAbsent(loop, l -> new Lane(EventLoopContexts.on(vertx, l)));
    lane.add(pending);
    return pending.promise.future();
  }

  /** Runs {@code script} by its SHA. */
  Future<Response> eval(RedisScript script, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return send(request);
  }

  /** How many batches (round trips) were sent so far, script loads and retries included. */
  long batchesSent() {
    return batches.get();
  }

  /** The most batches one lane had in flight at once so far. */
  long mostInFlight() {
    return mostInFlight.get();
  }

  /** Whether the last batch reached Redis (for logs; readiness asks with a real command). */
  boolean reachable() {
    return reachable;
  }

  /** The commands of one event loop (or of all callers outside any): their queue, connection and batches in flight. */
  private final class Lane {
    private final Context context;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** On the lane's context only, as everything below. */
    private int inFlight;
    private Future<RedisConnection> connection;

    Lane(Context context) {
      this.context = context;
    }

    /** From any thread: queue, and make sure a flush is coming. */
    void add(Pending pending) {
      queue.add(pending);
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> flush());
      }
    }

    /** Sends what is queued while a batch slot is free; the rest goes when an answer frees one. */
    private void flush() {
      scheduled.set(false);
      while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
        sendNext();
      }
    }

    private void sendNext() {
      List<Pending> batch = new ArrayList<>();
      Pending next;
      while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
        batch.add(next);
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
      inFlight++;
      mostInFlight.accumulateAndGet(inFlight, Math::max);
      sendBatch(requests)
          .recover(err -> {
            if (!isNoScript(err)) {
              return Future.failedFuture(err);
            }
            dropConnection();
            // later batches of this lane may have run already: sending this one again would reorder
            return inFlight == 1 ? sendBatch(requests) : Future.failedFuture(err);
          })
          .onComplete(done -> {
            inFlight--;
            if (done.succeeded()) {
              markReachable(true, null);
              answer(batch, perCommand(batch, done.result(), starts), null);
            } else {
              answer(batch, null, unavailable(done.cause()));
            }
            flush();
          });
    }

    /** The batch on this lane's connection (made, with the scripts loaded, when there is none), within {@code timeoutMs}. */
    private Future<List<Response>> sendBatch(List<Request> requests) {
      batches.incrementAndGet();
      Future<RedisConnection> on = connection();
      return on.compose(conn -> conn.batch(requests))
          .timeout(timeoutMs, TimeUnit.MILLISECONDS)
          .onFailure(err -> {
            if (!isRedisError(err) && connection == on) {
              dropConnection();
            }
          });
    }

    private Future<RedisConnection> connection() {
      if (connection == null) {
        Future<RedisConnection> made = redis.connect().compose(conn -> loadScripts(conn)
            .map(conn)
            .onFailure(err -> conn.close()));
        made.onSuccess(conn -> {
          if (connection != made) {
            conn.close(); // given up on meanwhile (it took longer than the timeout)
            return;
          }
          conn.exceptionHandler(err -> dropIf(made));
          conn.endHandler(v -> dropIf(made));
        });
        made.onFailure(err -> dropIf(made));
        connection = made;
      }
      return connection;
    }

    private Future<Void> loadScripts(RedisConnection conn) {
      List<Request> loads = new ArrayList<>();
      scripts.forEach(s -> loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())));
      batches.incrementAndGet();
      return conn.batch(loads).mapEmpty();
    }

    private void dropIf(Future<RedisConnection> which) {
      if (connection == which) {
        dropConnection();
      }
    }

    /** Gives the connection back (a broken one the pool closes); the next batch takes a new one and loads the scripts on it. */
    private void dropConnection() {
      Future<RedisConnection> dropped = connection;
      connection = null;
      if (dropped != null && dropped.succeeded()) {
        dropped.result().close();
      } // one still being made is given back once made (connection())
    }
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

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().contains("NOSCRIPT");
  }

  /** Redis answered with an error (vertx-redis-client's batch failure: {@code ERR [index] ...}), as opposed to no answer. */
  private static boolean isRedisError(Throwable err) {
    return err.getMessage() != null && err.getMessage().startsWith("ERR [");
  }

  private HubException unavailable(Throwable err) {
    if (err instanceof HubException) {
      return (HubException) err;
    }
    if (isRedisError(err) && !isNoScript(err)) {
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
   * Completes each command of {@code batch} with its reply, or fails it with {@code failure}, as
   * its caller's context: one run per context for the whole batch (a lane has a few contexts and
   * hundreds of commands per batch), on this thread when the context is on this loop, else as a task
   * there; each completes its commands in batch order, so one caller's commands still complete in
   * the order they were sent. Commands sent from outside any context complete here.
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
      EventLoopContexts.runAs(answers.context, answers);
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
  private static final class Answers implements Runnable {
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
    public void run() {
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
