package dev.streamhub.session;

import io.vertx.core.Vertx;

/**
 * One timer per event loop for what every open connection does at the same interval (SSE
 * heartbeats, WebSocket pings), instead of a periodic timer per connection (a Vert.x timer costs
 * about 190 bytes of heap per connection: its handler, Netty's scheduled task, the timer map entry).
 *
 * <p>A member ticks first one interval after it {@link #join joined}, then every interval (fixed
 * rate), as a periodic timer of its own would. Members are kept in an intrusive list ordered by
 * due time (every member has the same interval, so a joiner or a member that just ticked goes at
 * the tail, give or take the timer's lateness), and one Vert.x timer is armed for the head.
 *
 * <p>Not thread safe: joins, leaves and ticks all happen on the event loop that owns the ticker
 * (one per edge verticle), which {@link #join} checks.
 */
public final class Ticker {

  /** What ticks; the due time and list links live in the member, so joining allocates nothing. */
  public abstract static class Member {
    private Ticker ticker;
    private Member prev;
    private Member next;
    private long dueMs;

    /** Called every interval on the ticker's event loop while the member has not left. */
    protected abstract void tick();
  }

  private final Vertx vertx;
  private final long intervalMs;
  private Thread owner;
  private Member head;
  private Member tail;
  private long armedForMs = Long.MAX_VALUE;

  public Ticker(Vertx vertx, long intervalMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("interval must be positive, got " + intervalMs);
    }
    this.vertx = vertx;
    this.intervalMs = intervalMs;
  }

  /** Starts ticking {@code member} every interval, the first time one interval from now. */
  public void join(Member member) {
    checkThread();
    if (member.ticker != null) {
      throw new IllegalStateException("already ticking");
    }
    member.ticker = this;
    member.dueMs = nowMs() + intervalMs;
    insert(member);
    arm();
  }

  /** Stops ticking {@code member}; a no-op when it is not ticking. */
  public void leave(Member member) {
    if (member.ticker != this) {
      return;
    }
    unlink(member);
    member.ticker = null;
  }

  /** Members ticking now; for tests. */
  int size() {
    int n = 0;
    for (Member m = head; m != null; m = m.next) {
      n++;
    }
    return n;
  }

  private void onTimer() {
    armedForMs = Long.MAX_VALUE;
    long now = nowMs();
    while (head != null && head.dueMs <= now) {
      Member member = head;
      unlink(member);
      // fixed rate, as a periodic timer; after a long stall, one tick rather than a burst of them
      member.dueMs = member.dueMs + intervalMs > now ? member.dueMs + intervalMs : now + intervalMs;
      insert(member);
      member.tick();
    }
    arm();
  }

  /** Links {@code member} in due order, scanning from the tail (it almost always belongs there). */
  private void insert(Member member) {
    Member after = tail;
    while (after != null && after.dueMs > member.dueMs) {
      after = after.prev;
    }
    member.prev = after;
    member.next = after == null ? head : after.next;
    if (member.next == null) {
      tail = member;
    } else {
      member.next.prev = member;
    }
    if (after == null) {
      head = member;
    } else {
      after.next = member;
    }
  }

  private void unlink(Member member) {
    if (member.prev == null) {
      head = member.next;
    } else {
      member.prev.next = member.next;
    }
    if (member.next == null) {
      tail = member.prev;
    } else {
      member.next.prev = member.prev;
    }
    member.prev = null;
    member.next = null;
  }

  /** Arms the one timer for the head's due time, unless it already fires by then. */
  private void arm() {
    if (head == null || armedForMs <= head.dueMs) {
      return;
    }
    armedForMs = head.dueMs;
    vertx.setTimer(Math.max(1, head.dueMs - nowMs()), id -> onTimer());
  }

  private void checkThread() {
    Thread current = Thread.currentThread();
    if (owner == null) {
      owner = current;
    } else if (owner != current) {
      throw new IllegalStateException("a ticker is used from its event loop only (" + owner.getName() + "), not " + current.getName());
    }
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
