package dev.streamhub.ops;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's graceful drain, started once (on SIGTERM, by {@code HubMain}). Readiness goes down and
 * new requests are refused with {@code draining}; every participant (each edge instance, each
 * worker verticle) is asked, on its own context, to let go of its clients and work by the
 * deadline. The future of {@link #start} completes when all have, or shortly after the deadline;
 * then the node stops its verticles and leaves the cluster.
 */
public final class Drain {

  /** Time after the deadline a participant still gets before the node stops waiting for it. */
  static final long GRACE_MS = 2000;

  /** A part of the node with clients or work to let go of. */
  public interface Participant {
    /**
     * Called once, on the context the participant registered from. Completes when it let go of
     * everything; {@code deadline} is epoch milliseconds.
     */
    Future<Void> drain(long deadline);
  }

  private record Registered(Context context, Participant participant) {}

  private final List<Registered> participants = new CopyOnWriteArrayList<>();
  private volatile boolean draining;
  private Future<Void> done;

  /** True once a drain started: {@code /health/ready} answers 503 and new requests get {@code draining}. */
  public boolean draining() {
    return draining;
  }

  /** Adds a participant; call it from the participant's own context (a verticle's start). */
  public void register(Participant participant) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("register a drain participant from its verticle's context");
    }
    participants.add(new Registered(context, participant));
  }

  /** Starts the drain (once; later calls return the same future). */
  public synchronized Future<Void> start(Vertx vertx, long timeoutMs) {
    if (done != null) {
      return done;
    }
    draining = true;
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Future<Void>> letGo = new ArrayList<>();
    for (Registered registered : participants) {
      Promise<Void> promise = Promise.promise();
      registered.context().runOnContext(v -> registered.participant().drain(deadline).onComplete(promise));
      letGo.add(promise.future());
    }
    Future<Void> all = Future.join(letGo).mapEmpty();
    done = Future.any(all, vertx.timer(timeoutMs + GRACE_MS)).otherwiseEmpty().mapEmpty();
    return done;
  }
}
