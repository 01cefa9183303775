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
import dev.streamhub.config.LimitsConfig;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>{@code streamhub:limit:{slots}:<key>}: the slots held, a hash {@code {holder: count}}: each
 *       node (a {@link #holder()}, a random id per limiter) counts its own; deleted when empty.</li>
 *   <li>{@code streamhub:limit:{slots}:nodes}: a hash {@code {holder: leaseEnd}} (epoch ms, Redis
 *       {@code TIME}): a node's slots count only while its lease has not ended. The node renews it
 *       every third of {@code limits_slot_ttl_ms} (and at every acquire and adopt); a node killed
 *       without releasing its slots stops renewing, and {@code limits_slot_ttl_ms} after its last
 *       renewal its slots no longer count: ACQUIRE, ADOPT and HELD skip, and drop, the counts of
 *       holders whose lease ended (RELEASE only decrements the holder it names). The renewal also
 *       extends the expiry ({@code limits_slot_ttl_ms}) of the slot hashes the node holds slots in,
 *       so that a hash whose holders all died disappears. {@link #close()} removes the lease.</li>
 *   <li>{@code streamhub:limit:{slots}:acquire:<id>}: one acquire's marker, {@code granted} or
 *       {@code cancelled}, living {@code limits_slot_ttl_ms}: an acquire that failed (timed out)
 *       is undone by CANCEL whether Redis ran it before or runs it after.</li>
 * </ul>
 * Every slot key carries the hash tag {@code {slots}}, so the few keys a slot script touches (the
 * key's hash, the leases, and for a renewal the node's hashes) are in one Redis Cluster slot and
 * declared in {@code KEYS}. A node whose lease lapsed while it lived (Redis unreachable, a pause
 * longer than the TTL) renews it again: its counts that no script dropped meanwhile count again,
 * those dropped are forgotten (logged by whichever call, renewal, acquire or adopt, finds the lease ended). Every call is bounded by {@code redis_timeout_ms} and fails
 * with {@code store_unavailable} (503) when Redis cannot be reached.
 */
public final class RedisLimiter implements Limiter {

  public static final String PREFIX = "streamhub:limit:";
  /** The prefix of the slot hashes and of the lease hash: one hash tag. */
  public static final String SLOTS = PREFIX + "{slots}:";
  public static final String LEASES = SLOTS + "nodes";

  private static final Logger LOG = LoggerFactory.getLogger(RedisLimiter.class);

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

  /**
   * Shared by the slot scripts; KEYS[1]: a slot hash, KEYS[2]: the leases. {@code live()} sums
   * the counts of holders whose lease has not ended and drops the others'; {@code renew(holder,
   * ttl)} extends a holder's lease and answers 1 when it had ended (or there was none), else 0;
   * {@code keep(ttl)} deletes an empty slot hash, else makes it
   * live at least {@code ttl} more.
   */
  private static final String SLOT_FUNCTIONS = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local function alive(holder)
        local lease = redis.call('HGET', KEYS[2], holder)
        return lease ~= false and tonumber(lease) > now
      end
      local function live()
        local flat = redis.call('HGETALL', KEYS[1])
        local total = 0
        for i = 1, #flat, 2 do
          if alive(flat[i]) then total = total + tonumber(flat[i + 1]) else redis.call('HDEL', KEYS[1], flat[i]) end
        end
        return total
      end
      local function renew(holder, ttl)
        local before = redis.call('HGET', KEYS[2], holder)
        redis.call('HSET', KEYS[2], holder, string.format('%d', now + tonumber(ttl)))
        if before == false or tonumber(before) <= now then return 1 end
        return 0
      end
      local function keep(ttl)
        if redis.call('HLEN', KEYS[1]) == 0 then
          redis.call('DEL', KEYS[1])
        elseif redis.call('PTTL', KEYS[1]) < tonumber(ttl) then
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
      end
      local function add(holder, delta)
        if redis.call('HINCRBY', KEYS[1], holder, delta) <= 0 then redis.call('HDEL', KEYS[1], holder) end
      end
      """;

  /**
   * KEYS[3]: this acquire's marker ({@code {slots}:acquire:<id>}). ARGV: limit, holder, ttlMs.
   * Answers {1 when a slot was free (and {@code holder} now holds it, the marker {@code granted}
   * for ttlMs) else 0, 1 when the holder's lease had ended (or there was none) else 0}; refuses
   * without renewing when the marker exists ({@link #CANCEL} ran first).
   */
  static final String ACQUIRE = SLOT_FUNCTIONS + """
      if redis.call('EXISTS', KEYS[3]) == 1 then return {0, 0} end
      local lapsed = renew(ARGV[2], ARGV[3])
      if live() >= tonumber(ARGV[1]) then keep(ARGV[3]) return {0, lapsed} end
      add(ARGV[2], 1)
      keep(ARGV[3])
      redis.call('SET', KEYS[3], 'granted', 'PX', ARGV[3])
      return {1, lapsed}
      """;

  /**
   * Undoes an acquire whose answer never came (timed out): KEYS as {@link #ACQUIRE}, ARGV: holder,
   * ttlMs. When it ran and granted, gives that slot back (answers 1); when it has not run, leaves a
   * {@code cancelled} marker so that it refuses if it still runs (answers 0).
   */
  static final String CANCEL = SLOT_FUNCTIONS + """
      if redis.call('GET', KEYS[3]) == 'granted' then
        redis.call('DEL', KEYS[3])
        add(ARGV[1], -1)
        if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
        return 1
      end
      redis.call('SET', KEYS[3], 'cancelled', 'PX', ARGV[2])
      return 0
      """;

  /** ARGV: holder. Gives back one slot of that holder only; answers 1, or 0 when it had none (its lease ended and its counts were dropped). */
  static final String RELEASE = SLOT_FUNCTIONS + """
      if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') > 0 then
        add(ARGV[1], -1)
        if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
        return 1
      end
      return 0
      """;

  /**
   * ARGV: from, to, ttlMs. Moves one slot from {@code from} to {@code to} when {@code from} is
   * alive and has one; answers {1 when moved else 0, 1 when {@code to}'s lease had ended else 0}.
   */
  static final String ADOPT = SLOT_FUNCTIONS + """
      local lapsed = renew(ARGV[2], ARGV[3])
      live()
      if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') <= 0 then keep(ARGV[3]) return {0, lapsed} end
      add(ARGV[1], -1)
      add(ARGV[2], 1)
      keep(ARGV[3])
      return {1, lapsed}
      """;

  /** Answers the slots held by holders whose lease has not ended. */
  static final String HELD = SLOT_FUNCTIONS + """
      local total = live()
      if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
      return total
      """;

  /**
   * KEYS[1]: the leases, then slot hashes this node held slots in. ARGV: holder, ttlMs. Renews the
   * holder's lease, drops ended leases, extends the hashes the holder still has slots in. Answers
   * {1 when the holder's lease had lapsed (or was never taken) else 0, then per slot hash 1 if the
   * holder still has slots in it, else 0}.
   */
  static final String RENEW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      local before = redis.call('HGET', KEYS[1], ARGV[1])
      local lapsed = 0
      if before == false or tonumber(before) <= now then lapsed = 1 end
      local flat = redis.call('HGETALL', KEYS[1])
      for i = 1, #flat, 2 do
        if tonumber(flat[i + 1]) <= now then redis.call('HDEL', KEYS[1], flat[i]) end
      end
      redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now + ttl))
      local out = {lapsed}
      for i = 2, #KEYS do
        if tonumber(redis.call('HGET', KEYS[i], ARGV[1]) or '0') > 0 then
          if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
          out[i] = 1
        else
          out[i] = 0
        end
      end
      return out
      """;

  /** Removes this holder's lease (the node stops): its slots stop counting at once. KEYS[1]: the leases. ARGV: holder. */
  static final String LEAVE = "redis.call('HDEL', KEYS[1], ARGV[1]) return 1";

  private final Vertx vertx;
  private final Redis redis;
  private final long timeoutMs;
  private final long ttlMs;
  private final String holder = UUID.randomUUID().toString();
  /** Slot keys this node may hold slots in, each with the sequence number of its last acquire or adopt here. */
  private final Map<String, Long> mine = new ConcurrentHashMap<>();
  private final AtomicLong touches = new AtomicLong();
  private final long renewal;
  /** Whether the last renewal failed (logged once per outage). */
  private volatile boolean renewalFailing;
  /** Whether a lease-extending call (renew, acquire, adopt) has succeeded: a lapse is only one after that. */
  private volatile boolean leased;
  /** Lapses of this node's lease seen while it lived. */
  private final AtomicLong lapses = new AtomicLong();
  /** Whether a renewal is in flight: a tick while one is skips (no pile-up behind a slow Redis). */
  private final AtomicBoolean renewing = new AtomicBoolean();
  /** Renewals sent, for tests. */
  private final AtomicLong renewalsSent = new AtomicLong();

  /** With {@code limits_slot_ttl_ms} at its default. */
  public RedisLimiter(Vertx vertx, String url, long timeoutMs) {
    this(vertx, url, timeoutMs, LimitsConfig.DEFAULT_SLOT_TTL_MS);
  }

  /**
   * @param url {@code redis_url}
   * @param timeoutMs {@code redis_timeout_ms}: a call slower than this fails with {@code store_unavailable}
   * @param slotTtlMs {@code limits_slot_ttl_ms}: this node's slots stop counting this long after its
   *     last lease renewal; it renews every third of it
   */
  public RedisLimiter(Vertx vertx, String url, long timeoutMs, long slotTtlMs) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(1024)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeout).setTcpKeepAlive(true).setTcpNoDelay(true)));
    this.timeoutMs = timeoutMs;
    this.ttlMs = slotTtlMs;
    this.renewal = vertx.setPeriodic(1, Math.max(1, slotTtlMs / 3), id -> renew());
  }

  /**
   * Renews this node's lease and the expiry of the slot hashes it holds slots in; forgets the keys
   * it no longer holds any in (unless acquired or adopted again since this renewal was sent). A tick
   * while the previous renewal is still in flight (a slow Redis, up to {@code redis_timeout_ms}) is
   * skipped; {@code limits_slot_ttl_ms} of at least 3 {@code redis_timeout_ms} keeps the lease alive meanwhile.
   */
  private void renew() {
    if (!renewing.compareAndSet(false, true)) {
      return;
    }
    renewalsSent.incrementAndGet();
    Map<String, Long> sent = Map.copyOf(mine);
    List<String> keys = List.copyOf(sent.keySet());
    Request eval = Request.cmd(Command.EVAL).arg(RENEW).arg(keys.size() + 1).arg(LEASES);
    keys.forEach(eval::arg);
    eval.arg(holder).arg(ttlMs);
    boolean leasedAtSend = leased;
    send(eval).onSuccess(r -> {
      noteLease(r.get(0), leasedAtSend);
      for (int i = 0; i < keys.size(); i++) {
        if (r.get(i + 1).toInteger() == 0) {
          mine.remove(keys.get(i), sent.get(keys.get(i)));
        }
      }
      if (renewalFailing) {
        renewalFailing = false;
        LOG.info("limits: slot lease renewed again");
      }
    }).onFailure(err -> {
      if (!renewalFailing) {
        renewalFailing = true;
        LOG.warn("limits: could not renew this node's slot lease: {}", err.getMessage());
      }
    }).onComplete(done -> renewing.set(false));
  }

  /**
   * Takes the lapsed flag a lease-extending script answered: the lease had ended although this
   * node held one ({@code leasedAtSend}), so other nodes may have dropped its slots: logged, counted.
   */
  private void noteLease(Response lapsedFlag, boolean leasedAtSend) {
    if (lapsedFlag.toInteger() == 1 && leasedAtSend) {
      lapses.incrementAndGet();
      LOG.warn("limits: this node's slot lease (holder {}) had ended (no renewal for longer than limits_slot_ttl_ms {} ms); "
          + "slots other nodes dropped meanwhile are no longer counted", holder, ttlMs);
    }
    leased = true;
  }

  /** How many times this node found its lease ended while it lived (each logged). */
  long lapses() {
    return lapses.get();
  }

  /** How many renewals this limiter has sent (skipped ticks not counted). */
  long renewalsSent() {
    return renewalsSent.get();
  }

  private void touch(String slotKey) {
    mine.put(slotKey, touches.incrementAndGet());
  }

  @Override
  public Future<Grant> take(String key, long amount, long limit, long windowMs) {
    return eval(TAKE, PREFIX + "rate:" + key, Long.toString(amount), Long.toString(limit), Long.toString(windowMs))
        .map(r -> new Grant(r.get(0).toLong(), r.get(1).toLong(), r.get(2).toLong()));
  }

  @Override
  public Future<Boolean> acquire(String key, long limit) {
    String slotKey = SLOTS + key;
    String marker = SLOTS + "acquire:" + UUID.randomUUID();
    return evalLeased(ACQUIRE, List.of(slotKey, LEASES, marker), Long.toString(limit), holder, Long.toString(ttlMs))
        .onFailure(err -> cancel(slotKey, marker)).map(r -> {
      if (r.toInteger() == 1) {
        touch(slotKey);
        return true;
      }
      return false;
    });
  }

  @Override
  public Future<Void> release(String key) {
    return evalSlots(RELEASE, SLOTS + key, holder).mapEmpty();
  }

  /**
   * An acquire failed (most often: no answer within {@code redis_timeout_ms}), but Redis may still
   * have run it, or run it later: {@link #CANCEL} gives back the slot it took, or stops it taking
   * one. A cancel that fails too is logged: that slot, if taken, stays held until this node's lease ends.
   */
  private void cancel(String slotKey, String marker) {
    evalScript(CANCEL, List.of(slotKey, LEASES, marker), holder, Long.toString(ttlMs)).onComplete(done -> {
      if (done.failed()) {
        LOG.warn("limits: could not undo a failed slot acquire on {}: {}", slotKey, done.cause().getMessage());
      } else if (done.result().toInteger() == 1) {
        LOG.info("limits: gave back the slot of an acquire on {} whose answer was lost", slotKey);
      }
    });
  }

  @Override
  public Future<Void> release(String key, String acquiredBy) {
    return acquiredBy == null ? release(key) : evalSlots(RELEASE, SLOTS + key, acquiredBy).mapEmpty();
  }

  @Override
  public String holder() {
    return holder;
  }

  @Override
  public Future<Boolean> adopt(String key, String acquiredBy) {
    String slotKey = SLOTS + key;
    touch(slotKey); // before the script runs: a renewal in flight must not forget the key
    return evalLeased(ADOPT, List.of(slotKey, LEASES), acquiredBy, holder, Long.toString(ttlMs)).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Long> held(String key) {
    return evalSlots(HELD, SLOTS + key).map(Response::toLong);
  }

  /** Stops renewing and removes this node's lease: the slots it still holds stop counting at once. */
  @Override
  public Future<Void> close() {
    vertx.cancelTimer(renewal);
    return send(Request.cmd(Command.EVAL).arg(LEAVE).arg(1).arg(LEASES).arg(holder))
        .transform(left -> redis.close());
  }

  /** {@code EVAL} of a slot script on a slot hash and the leases. */
  private Future<Response> evalSlots(String script, String slotKey, String... args) {
    return evalScript(script, List.of(slotKey, LEASES), args);
  }

  /** {@code EVAL} of {@code script} on {@code keys}. */
  private Future<Response> evalScript(String script, List<String> keys, String... args) {
    Request eval = Request.cmd(Command.EVAL).arg(script).arg(keys.size());
    keys.forEach(eval::arg);
    for (String arg : args) {
      eval.arg(arg);
    }
    return send(eval);
  }

  /** {@link #evalSlots} of a script that renews this node's lease and answers {result, lapsed}: yields the result. */
  private Future<Response> evalLeased(String script, List<String> keys, String... args) {
    boolean leasedAtSend = leased;
    return evalScript(script, keys, args).map(r -> {
      noteLease(r.get(1), leasedAtSend);
      return r.get(0);
    });
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
