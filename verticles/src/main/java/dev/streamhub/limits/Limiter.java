package dev.streamhub.limits;

import io.vertx.core.Future;

/**
 * Counters behind every limit: fixed-window rates and held slots, per key. One interface, a store
 * per backend ({@code memory}: this node; {@code hazelcast}: the cluster; {@code redis}: every node
 * on one Redis), every one passing {@code LimiterContract}.
 *
 * <p>Invariants every store keeps:
 * <ul>
 *   <li>Atomic per key: concurrent callers, on any node sharing the store, never together get
 *       more than {@code limit} in one window, or more than {@code limit} slots held.</li>
 *   <li>{@link #take} grants part of an amount when only part is left (so a token budget ends at
 *       the exact token), and never counts what it did not grant.</li>
 *   <li>A window starts at a multiple of {@code windowMs} of the store's clock (epoch ms) and its
 *       count is forgotten once it is over; {@code retryAfterMs} is the time left in it.</li>
 * </ul>
 *
 * <p>Stores that are shared tie each slot to the node holding it ({@link #holder()}), and free a
 * node's slots when it is gone: Hazelcast when the member leaves the cluster, Redis when the node's
 * lease ({@code limits_slot_ttl_ms}) is not renewed.
 */
public interface Limiter {

  /**
   * Adds up to {@code amount} to {@code key}'s count in the current window of {@code windowMs},
   * granting only what keeps the count at or under {@code limit}.
   */
  Future<Grant> take(String key, long amount, long limit, long windowMs);

  /** Holds one of {@code limit} slots of {@code key}; true when one was free. */
  Future<Boolean> acquire(String key, long limit);

  /** Gives back one slot of {@code key} (never below zero). */
  Future<Void> release(String key);

  /**
   * Gives back one slot of {@code key} held by {@code holder} (a {@link #holder()}: this node's, or
   * another node's whose slot this node did not take over, {@link #adopt}), never another holder's;
   * nothing when {@code holder} has none (it left and its slots went with it). By default as
   * {@link #release(String)}.
   */
  default Future<Void> release(String key, String holder) {
    return release(key);
  }

  /**
   * Who holds the slots this limiter acquires, when the store ties slots to their holder (the
   * Hazelcast store: the member, its slots given back when it leaves the cluster; the Redis store:
   * a random id per node, its slots given back when its lease ends); else null.
   */
  default String holder() {
    return null;
  }

  /**
   * This node takes over one slot of {@code key} that {@code holder} acquired (a worker taking
   * over a generation's concurrent-stream slot from the edge that admitted it), so the slot goes
   * back if this node dies while it holds it; a slot {@code holder} no longer has (it left) is not
   * taken over. Yields whether the slot moved: when it did, this node releases it as its own
   * ({@link #release(String)}), else as {@code holder}'s. By default nothing to do: false.
   */
  default Future<Boolean> adopt(String key, String holder) {
    return Future.succeededFuture(false);
  }

  /** The slots of {@code key} held now. */
  Future<Long> held(String key);

  Future<Void> close();

  /**
   * Whether {@code err}, a failure of this limiter, must refuse the request rather than let it
   * through: a limiter that cannot be reached fails open (the request passes, logged), but one that
   * knows its side of the cluster lost the quorum ({@code cluster_quorum}) fails closed with 503
   * {@code store_unavailable}, so that two sides of a partition cannot each admit the whole budget.
   */
  default boolean failsClosed(Throwable err) {
    return false;
  }

  /**
   * What {@link #take} granted.
   *
   * @param granted how much of the amount was counted: 0 up to the amount asked
   * @param used the window's count after this take
   * @param retryAfterMs time until the window ends (when the count starts again from 0)
   */
  record Grant(long granted, long used, long retryAfterMs) {

    /** Whether all of {@code amount} was granted. */
    public boolean all(long amount) {
      return granted == amount;
    }
  }

  /** The window of {@code windowMs} that holds {@code nowMs}: its start. */
  static long windowStart(long nowMs, long windowMs) {
    return nowMs - Math.floorMod(nowMs, windowMs);
  }
}
