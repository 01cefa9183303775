package dev.streamhub.streamlog.hazelcast;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * At most {@link #PER_STREAM} appends of one stream in flight from this member; the others wait
 * here, first come first sent, so each appender's order is kept.
 *
 * <p>Why: an append whose outcome is unknown (a try that timed out, a success slower than the
 * backup timeout) is sent again with its request id, and the stream remembers only its last
 * {@link StoredStream#RECENT_APPENDS} request ids. With no bound, an overloaded member could have
 * hundreds of one stream's appends in flight, so a retry arrived after its first try had left that
 * window and was stored a second time (a CI run at load average 50: 2,864 events for 2,000
 * appends in the store contract's concurrency case). With at most half the window in flight, a
 * retry always finds its first try. Thread-safe: appends come from every event loop.
 */
final class InFlightAppends {

  /** Appends of one stream in flight from one member: half of what the stream remembers. */
  static final int PER_STREAM = StoredStream.RECENT_APPENDS / 2;

  private final Vertx vertx;
  private final Map<String, Gate> gates = new HashMap<>();

  InFlightAppends(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Runs {@code append} (one append, its retries included) once fewer than {@link #PER_STREAM} of
   * {@code stream}'s appends are in flight, on the caller's context (so the store's replies come
   * back there, as without the wait); yields its outcome.
   */
  <T> Future<T> run(String stream, Supplier<Future<T>> append) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> outcome = Promise.promise();
    Runnable start = () -> {
      Future<T> sent;
      try {
        sent = append.get();
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      sent.onComplete(done -> {
        finished(stream);
        outcome.handle(done);
      });
    };
    boolean now;
    synchronized (gates) {
      Gate gate = gates.computeIfAbsent(stream, s -> new Gate());
      now = gate.inFlight < PER_STREAM;
      if (now) {
        gate.inFlight++;
      } else {
        gate.waiting.add(() -> caller.runOnContext(v -> start.run()));
      }
    }
    if (now) {
      start.run();
    }
    return outcome.future();
  }

  /** Appends of {@code stream} in flight or waiting here (0 when none). */
  int pending(String stream) {
    synchronized (gates) {
      Gate gate = gates.get(stream);
      return gate == null ? 0 : gate.inFlight + gate.waiting.size();
    }
  }

  private void finished(String stream) {
    Runnable next;
    synchronized (gates) {
      Gate gate = gates.get(stream);
      next = gate.waiting.poll();
      if (next == null && --gate.inFlight == 0) {
        gates.remove(stream);
      }
    }
    if (next != null) {
      next.run();
    }
  }

  private static final class Gate {
    int inFlight;
    final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  }
}
