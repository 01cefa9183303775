package dev.streamhub.limits;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.LimitsConfig;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.limits.hazelcast.HazelcastLimiter;
import dev.streamhub.limits.memory.MemoryLimiter;
import dev.streamhub.limits.redis.RedisLimiter;
import dev.streamhub.ops.metrics.RateLimitRejections;
import dev.streamhub.ops.metrics.RateLimitRejections.Reason;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's limits: its {@link LimitsConfig} and {@link Limiter} ({@code limits_store}: memory, or
 * Hazelcast or Redis for cluster-wide counts), shared by the edge and worker verticles of the node. The
 * generation side of the limits lives here: admitting a generation (its consumer's concurrent-stream
 * slot, a token budget not yet spent) and metering the tokens a worker produces.
 */
public final class NodeLimits implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLimits.class);
  private static final String MAP = "streamhub.node";
  private static final String ENTRY = "limits";
  private static final NodeLimits OFF = new NodeLimits(null, null, null);

  private final LimitsConfig config;
  private final Limiter limiter;
  private final RateLimitRejections rejections;

  private NodeLimits(LimitsConfig config, Limiter limiter, RateLimitRejections rejections) {
    this.config = config;
    this.limiter = limiter;
    this.rejections = rejections;
  }

  /** Builds the node's limits; Hub.start calls it once per node. */
  public static NodeLimits install(Vertx vertx, LimitsConfig config, StreamLogConfig log) {
    Limiter limiter;
    if (config.store().equals("redis")) {
      limiter = new RedisLimiter(vertx, log.redisUrl(), log.redisTimeoutMs(), config.slotTtlMs());
    } else if (config.store().equals("hazelcast")) {
      limiter = HazelcastSetup.hazelcast(vertx).map(hz -> (Limiter) new HazelcastLimiter(vertx, hz))
          .orElseThrow(() -> new IllegalStateException("limits_store 'hazelcast' needs a clustered node (cluster_config)"));
    } else {
      limiter = new MemoryLimiter();
    }
    NodeLimits limits = new NodeLimits(config, limiter, RateLimitRejections.of(vertx));
    vertx.sharedData().getLocalMap(MAP).put(ENTRY, limits);
    if (config.anyLimit()) {
      LOG.info("limits on ({}): requests {}/{} ms per {}, tokens {}/{} ms per {}, concurrent streams {}, connections {} per consumer, {} per IP",
          config.store(), config.requestRate(), config.requestWindowMs(), config.requestKey(), config.tokenRate(),
          config.tokenWindowMs(), config.tokenKey(), config.concurrentStreams(), config.connectionsPerConsumer(), config.connectionsPerIp());
    }
    return limits;
  }

  /** The node's limits; all off when none were installed. */
  public static NodeLimits of(Vertx vertx) {
    Object limits = vertx.sharedData().getLocalMap(MAP).get(ENTRY);
    return limits instanceof NodeLimits ? (NodeLimits) limits : OFF;
  }

  public LimitsConfig config() {
    return config;
  }

  public Limiter limiter() {
    return limiter;
  }

  public boolean off() {
    return config == null;
  }

  /**
   * Admits a generation: fails with 429 {@code rate_limited} when the token budget of
   * {@code quota.tokenKey} is spent or its consumer holds {@code limits_concurrent_streams} slots.
   * Yields the quota to hand to the worker: without a slot when none was taken.
   */
  public Future<Quota> admitGeneration(Quota quota) {
    if (off() || quota.none()) {
      return Future.succeededFuture(Quota.NONE);
    }
    Future<Void> budget = config.tokenRate() > 0 && quota.tokenKey() != null
        ? limiter.take(tokenKey(quota.tokenKey()), 0, config.tokenRate(), config.tokenWindowMs()).compose(grant -> grant.used() >= config.tokenRate()
            ? rejected(Reason.TOKEN_BUDGET, RateLimited.error("token budget of " + config.tokenRate() + " tokens per "
                + config.tokenWindowMs() / 1000 + " s is spent; retry after " + RateLimited.seconds(grant.retryAfterMs()) + " s"))
            : Future.succeededFuture())
        : Future.succeededFuture();
    if (config.concurrentStreams() <= 0 || quota.slotKey() == null) {
      return budget.map(quota.withoutSlot());
    }
    return budget.compose(ok -> limiter.acquire(slotKey(quota.slotKey()), config.concurrentStreams())).compose(got -> got
        ? Future.succeededFuture(quota.withHolder(limiter.holder()))
        : rejected(Reason.CONCURRENT_STREAMS, RateLimited.error("at most " + config.concurrentStreams() + " unfinished generations per consumer")));
  }

  /** Counts a refusal in {@code streamhub_rate_limit_rejections_total} and fails with it. */
  private <T> Future<T> rejected(Reason reason, HubException error) {
    rejections.count(reason);
    return Future.failedFuture(error);
  }

  /**
   * The worker's node takes over the generation's concurrent-stream slot from the edge that
   * acquired it ({@link Limiter#adopt}), so the slot goes back if the worker's node dies mid-generation.
   * Yields the quota to release the slot with ({@link #releaseSlot}): held by this node when it
   * moved, else still by the edge. Never fails: a slot not taken over stays the edge's (given back
   * when the edge leaves).
   */
  public Future<Quota> adoptSlot(Quota quota) {
    if (off() || quota.slotKey() == null || quota.holder() == null || quota.holder().equals(limiter.holder())) {
      return Future.succeededFuture(quota);
    }
    return limiter.adopt(slotKey(quota.slotKey()), quota.holder())
        .map(moved -> moved ? quota.withHolder(limiter.holder()) : quota)
        .recover(err -> {
          LOG.warn("limits: could not take over a stream slot: {}", err.getMessage());
          return Future.succeededFuture(quota);
        });
  }

  /** Gives back the generation's concurrent-stream slot (its worker ended it, or it never started). */
  public void releaseSlot(Quota quota) {
    if (!off() && quota.slotKey() != null) {
      limiter.release(slotKey(quota.slotKey()), quota.holder()).onFailure(err -> LOG.warn("limits: could not release a stream slot: {}", err.getMessage()));
    }
  }

  /**
   * Closes the node's limiter ({@link Limiter#close}: with Redis the renewal timer stops, the
   * node's lease is removed so the slots it still holds stop counting at once, the client pool
   * closes) and forgets it, unless another start installed limits since. Hub.stop calls it last,
   * when no session holds a slot any more. Never fails: a limiter that cannot close is logged.
   */
  public Future<Void> close(Vertx vertx) {
    if (off()) {
      return Future.succeededFuture();
    }
    vertx.sharedData().getLocalMap(MAP).remove(ENTRY, this);
    return limiter.close().recover(err -> {
      LOG.warn("limits: could not close the limiter: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Whether the worker meters tokens for this quota. */
  public boolean metersTokens(Quota quota) {
    return !off() && config.tokenRate() > 0 && quota.tokenKey() != null;
  }

  /** Counts {@code tokens} produced against the quota's budget; yields how many fit (fewer: the budget ran out there). */
  public Future<Long> takeTokens(Quota quota, long tokens) {
    return limiter.take(tokenKey(quota.tokenKey()), tokens, config.tokenRate(), config.tokenWindowMs()).map(Limiter.Grant::granted);
  }

  public HubException quotaExceeded() {
    return new HubException(ErrorCode.TOKEN_QUOTA_EXCEEDED, "token budget of " + config.tokenRate() + " tokens per "
        + config.tokenWindowMs() / 1000 + " s ran out; the generation was stopped here");
  }

  static String tokenKey(String key) {
    return "tokens|" + key;
  }

  static String slotKey(String key) {
    return "streams|" + key;
  }
}
