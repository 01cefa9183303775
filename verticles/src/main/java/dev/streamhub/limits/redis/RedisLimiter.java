package dev.streamhub.limits.redis;

import dev.streamhub.limits.Limiter;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;

/**
 * The limit counters in Redis, shared by every hub node on that Redis: each operation is one Lua
 * script, which Redis runs atomically, so concurrent callers on any node never together pass a
 * limit ({@link Limiter}'s invariants).
 *
 * <p>Keys (inspect with {@code redis-cli}):
 * <ul>
 *   <li>{@code streamhub:limit:rate:<key>}: a hash {@code {window, used}}: the start (epoch ms, the
 *       Redis server's clock from {@code TIME}, so every node agrees) of the current window of
 *       {@code windowMs} and its count; it expires when the window ends. A take in a later window
 *       starts the count again from 0.</li>
 *   <li>{@code streamhub:limit:slots:<key>}: the slots held, a string integer; deleted at 0.</li>
 * </ul>
 * One key per call, so the scripts also run on a Redis Cluster. Every call is bounded by
 * {@code redis_timeout_ms} and fails with {@code store_unavailable} (503) when Redis cannot be reached.
 */
public final class RedisLimiter implements Limiter {

  public static final String PREFIX = "streamhub:limit:";

  /** KEYS: the rate hash. ARGV: amount, limit, windowMs. Answers {granted, used, retryAfterMs}. */
  static final String TAKE = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local window = tonumber(ARGV[3])
      local start = now - (now % window)
      local used = 0
      local stored = redis.call('HMGET', KEYS[1], 'window', 'used')
      if stored[1] and tonumber(stored[1]) == start then used = tonumber(stored[2]) end
      local granted = math.max(0, math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used))
      used = used + granted
      redis.call('HSET', KEYS[1], 'window', string.format('%d', start), 'used', string.format('%d', used))
      redis.call('PEXPIREAT', KEYS[1], string.format('%d', start + window))
      return {granted, used, start + window - now}
      """;

  /** KEYS: the slots key. ARGV: limit. Answers 1 when a slot was free (and is now held), else 0. */
  static final String ACQUIRE = """
      local held = tonumber(redis.call('GET', KEYS[1]) or '0')
      if held >= tonumber(ARGV[1]) then return 0 end
      redis.call('INCR', KEYS[1])
      return 1
      """;

  /** KEYS: the slots key. Gives one back, never below zero (the key is deleted at zero). */
  static final String RELEASE = """
      local held = tonumber(redis.call('GET', KEYS[1]) or '0')
      if held > 1 then redis.call('DECR', KEYS[1]) else redis.call('DEL', KEYS[1]) end
      return 1
      """;

  private final Redis redis;
  private final long timeoutMs;

  /**
   * @param url {@code redis_url}
   * @param timeoutMs {@code redis_timeout_ms}: a call slower than this fails with {@code store_unavailable}
   */
  public RedisLimiter(Vertx vertx, String url, long timeoutMs) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    this.redis = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(1024)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeout).setTcpKeepAlive(true).setTcpNoDelay(true)));
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Grant> take(String key, long amount, long limit, long windowMs) {
    return eval(TAKE, PREFIX + "rate:" + key, Long.toString(amount), Long.toString(limit), Long.toString(windowMs))
        .map(r -> new Grant(r.get(0).toLong(), r.get(1).toLong(), r.get(2).toLong()));
  }

  @Override
  public Future<Boolean> acquire(String key, long limit) {
    return eval(ACQUIRE, PREFIX + "slots:" + key, Long.toString(limit)).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> release(String key) {
    return eval(RELEASE, PREFIX + "slots:" + key).mapEmpty();
  }

  @Override
  public Future<Long> held(String key) {
    return send(Request.cmd(Command.GET).arg(PREFIX + "slots:" + key)).map(r -> r == null ? 0L : r.toLong());
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  /** {@code EVAL} of a small script (Redis caches it after the first call) on one key. */
  private Future<Response> eval(String script, String key, String... args) {
    Request eval = Request.cmd(Command.EVAL).arg(script).arg(1).arg(key);
    for (String arg : args) {
      eval.arg(arg);
    }
    return send(eval);
  }

  private Future<Response> send(Request request) {
    return redis.send(request)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(new HubException(ErrorCode.STORE_UNAVAILABLE,
            "the limit store (Redis) is unavailable: " + err.getMessage())));
  }
}
