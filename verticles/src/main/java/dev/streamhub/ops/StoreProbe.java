package dev.streamhub.ops;

import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the stream log's store answers: {@link StreamLog#ping()} bounded by {@link #TIMEOUT_MS},
 * its outcome reused for {@link #CACHE_MS} so that a load balancer probing every node often costs
 * the store one round trip a second per edge instance at most. Only one ping is in flight at a time.
 */
public final class StoreProbe {

  /** How long an outcome is reused. */
  public static final long CACHE_MS = 1000;
  /** A ping not answered within this fails (the store is unreachable or overloaded). */
  public static final long TIMEOUT_MS = 2000;

  private record Probe(Future<Void> outcome, long at) {}

  private final StreamLog log;
  private final AtomicReference<Probe> last = new AtomicReference<>();

  public StoreProbe(StreamLog log) {
    this.log = log;
  }

  /** Succeeds when the store answered within {@link #CACHE_MS} (a cached round trip) or answers now. */
  public Future<Void> check() {
    long now = System.nanoTime();
    Probe probe = last.get();
    if (probe != null && (!probe.outcome().isComplete() || now - probe.at() < TimeUnit.MILLISECONDS.toNanos(CACHE_MS))) {
      return probe.outcome();
    }
    Probe fresh = new Probe(ping(), now);
    return last.compareAndSet(probe, fresh) ? fresh.outcome() : last.get().outcome();
  }

  private Future<Void> ping() {
    try {
      return log.ping().timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
