package dev.streamhub.ops;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A node's graceful drain. Two ways in:
 * <ul>
 *   <li>{@link #start} (SIGTERM, by {@code HubMain}): final. Readiness goes down, new requests are
 *       refused with {@code draining}, every participant (each edge instance, each worker verticle)
 *       is asked on its own context to let go of its clients and work by the deadline
 *       ({@link Participant#drain}); then the node stops its verticles and leaves the cluster.</li>
 *   <li>{@link #pause} ({@code POST /admin/drain}): the same for clients and generations
 *       ({@link Participant#pause}), but the node keeps its port and its cluster membership, and
 *       {@link #resume} ({@code POST /admin/undrain}) returns it to service.</li>
 * </ul>
 * The state ({@link State}) is what {@code /health/ready}, the node card of {@code GET /v1/cluster}
 * and the {@code streamhub_drain_state} metric report.
 */
public final class Drain {

  /** Time after the deadline a participant still gets before the node stops waiting for it. */
  static final long GRACE_MS = 2000;

  /** Where a node is in its drain. */
  public enum State {
    /** In service. */
    UP,
    /** Drained by an admin call: letting its clients and generations go. */
    DRAINING,
    /** Drained by an admin call, all let go; still a cluster member, back with {@link #resume}. */
    DRAINED,
    /** Drained by SIGTERM: it leaves the cluster and exits once drained. */
    STOPPING;

    /** The lower-case word of {@code GET /v1/cluster} and the admin answers. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A part of the node with clients or work to let go of. */
  public interface Participant {
    /**
     * The final drain (SIGTERM), called once, on the context the participant registered from.
     * Completes when it let go of everything; {@code deadline} is epoch milliseconds.
     */
    Future<Void> drain(long deadline);

    /**
     * An admin drain: let go of clients and work as {@link #drain} does, but stay able to serve
     * again after {@link #resume}. The default does nothing: such a participant keeps what it has,
     * and new requests are refused by the node's {@code draining} check.
     */
    default Future<Void> pause(long deadline) {
      return Future.succeededFuture();
    }

    /** Back in service after {@link #pause}. */
    default void resume() {}
  }

  private record Registered(Context context, Participant participant) {}

  private final List<Registered> participants = new CopyOnWriteArrayList<>();
  private volatile State state = State.UP;
  private Future<Void> stopping;
  private long pauses;

  /** True unless the node is {@link State#UP}: {@code /health/ready} answers 503 and new requests get {@code draining}. */
  public boolean draining() {
    return state != State.UP;
  }

  public State state() {
    return state;
  }

  /** Adds a participant; call it from the participant's own context (a verticle's start). */
  public void register(Participant participant) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("register a drain participant from its verticle's context");
    }
    participants.add(new Registered(context, participant));
  }

  /** Starts the final drain (once; later calls return the same future). */
  public synchronized Future<Void> start(Vertx vertx, long timeoutMs) {
    if (stopping == null) {
      state = State.STOPPING;
      stopping = each(vertx, timeoutMs, Participant::drain);
    }
    return stopping;
  }

  /**
   * Starts an admin drain: {@link State#DRAINING}, then {@link State#DRAINED} once every
   * participant let go (or the deadline and grace passed). The future completes when it is drained;
   * it fails with {@link IllegalStateException}, and nothing changes, when the node is not {@link State#UP}.
   */
  public synchronized Future<Void> pause(Vertx vertx, long timeoutMs) {
    if (state != State.UP) {
      return Future.failedFuture(new IllegalStateException("the node is " + state.wire()));
    }
    state = State.DRAINING;
    long pause = ++pauses;
    return each(vertx, timeoutMs, Participant::pause).onComplete(done -> drained(pause));
  }

  /**
   * Ends an admin drain ({@link State#DRAINING} or {@link State#DRAINED} to {@link State#UP}), each
   * participant resumed on its context. Returns false when the node is up already or stopping.
   */
  public synchronized boolean resume() {
    if (state != State.DRAINING && state != State.DRAINED) {
      return false;
    }
    pauses++;
    for (Registered registered : participants) {
      registered.context().runOnContext(v -> registered.participant().resume());
    }
    state = State.UP;
    return true;
  }

  private synchronized void drained(long pause) {
    if (pause == pauses && state == State.DRAINING) {
      state = State.DRAINED;
    }
  }

  private Future<Void> each(Vertx vertx, long timeoutMs, BiFunction<Participant, Long, Future<Void>> step) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Future<Void>> letGo = new ArrayList<>();
    for (Registered registered : participants) {
      Promise<Void> promise = Promise.promise();
      registered.context().runOnContext(v -> step.apply(registered.participant(), deadline).onComplete(promise));
      letGo.add(promise.future());
    }
    Future<Void> all = Future.join(letGo).mapEmpty();
    return Future.any(all, vertx.timer(timeoutMs + GRACE_MS)).otherwiseEmpty().mapEmpty();
  }
}
