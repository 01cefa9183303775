package dev.streamhub.streamlog.redis;

import java.util.List;

/**
 * The Lua scripts of {@link RedisStreamLog}. Redis runs a script atomically (no other command
 * runs in between), which is what makes offsets contiguous and the terminal rule hold across any
 * number of hub nodes. Scripts never raise a Redis error: they answer a status word first
 * ({@code ok}, {@code not_found}, {@code finished}, {@code exists}, {@code bad_offset},
 * {@code expired}), so one bad request never fails the other commands of its pipelined batch.
 *
 * <p>Numbers written back to Redis go through {@code int()} ({@code %d}): Lua's default
 * {@code %.14g} would turn a 16-digit microsecond time into {@code 1.7e+15}. Times that are only
 * copied (the event {@code ts}) stay the strings Java sent.
 */
final class LogScripts {

  private LogScripts() {}

  private static final String INT = "local function int(x) return string.format('%d', x) end\n";

  /**
   * KEYS: meta, expiry. ARGV: id, owner, model, createdMs, deadlineMs.
   * Answers {@code ok}, or {@code exists} when the id is taken.
   */
  static final RedisScript CREATE = RedisScript.of("create", """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
      redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'model', ARGV[3], 'created', ARGV[4],
          'first', '0', 'next', '0', 'finished', '0', 'deadline', ARGV[5])
      redis.call('PEXPIREAT', KEYS[1], ARGV[5])
      redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
      return 'ok'
      """);

  /**
   * The appends of many streams in one run ({@link Appends} joins those a batch carries).
   * KEYS: expiry, then meta and events of each append. ARGV: maxEvents, retentionMs, then for each
   * append: id, tsMicros, nowMs, terminal (1|0), count, then type and data (JSON text) of each of
   * its count events. Answers an array with one integer per append: its first offset, {@code -1}
   * when the stream does not exist, {@code -2} when it has ended. An append's events are entries
   * {@code <offset>-1} of its events stream, trimmed to exactly maxEvents, and a terminal append
   * moves the deadline to {@code min(deadline, now + retention)} on both keys and in the expiry
   * index. Appends run in order, so two of one stream in one run get consecutive offsets.
   *
   * <p>Redis's CPU per token is mostly this script's: one run per batch rather than per append,
   * and three Redis calls for a usual append (HMGET, XADD per event, HSET of {@code next}):
   * {@code first} is written only when trimming moved it, and the events key gets its expiry once,
   * from the append that creates it (offset 0; later XADDs keep a key's expiry), and again from
   * the terminal append.
   */
  static final RedisScript APPEND = RedisScript.of("append", INT + """
      local out = {}
      local max = ARGV[1]
      local a = 3
      for k = 2, #KEYS, 2 do
        local id, ts, now, terminal = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
        local e = a + 5
        a = e + 2 * tonumber(ARGV[a + 4])
        local m = redis.call('HMGET', KEYS[k], 'next', 'finished', 'first', 'deadline')
        if not m[1] then
          out[#out + 1] = -1
        elseif m[2] ~= '0' then
          out[#out + 1] = -2
        else
          local start = tonumber(m[1])
          local nxt = start
          for i = e, a - 1, 2 do
            redis.call('XADD', KEYS[k + 1], 'MAXLEN', '=', max, int(nxt) .. '-1', 't', ARGV[i], 'd', ARGV[i + 1], 'ts', ts)
            nxt = nxt + 1
          end
          local first = tonumber(m[3])
          local trimmed = nxt - tonumber(max)
          if terminal == '1' then
            local deadline = int(math.min(tonumber(m[4]), tonumber(now) + tonumber(ARGV[2])))
            redis.call('HSET', KEYS[k], 'next', int(nxt), 'first', int(math.max(first, trimmed)), 'finished', now, 'deadline', deadline)
            redis.call('ZADD', KEYS[1], deadline, id)
            redis.call('PEXPIREAT', KEYS[k], deadline)
            redis.call('PEXPIREAT', KEYS[k + 1], deadline)
          else
            if trimmed > first then
              redis.call('HSET', KEYS[k], 'next', int(nxt), 'first', int(trimmed))
            else
              redis.call('HSET', KEYS[k], 'next', int(nxt))
            end
            if start == 0 then
              redis.call('PEXPIREAT', KEYS[k + 1], m[4])
            end
          end
          out[#out + 1] = start
        end
      end
      return out
      """);

  /**
   * KEYS: meta, events. ARGV: from, max. Answers {@code {ok, next, finishedMs, entries}} (entries
   * as {@code XRANGE} gives them, at most max from offset {@code from}), {@code {not_found}}, or
   * {@code {bad_offset|expired, first, next}}.
   */
  static final RedisScript READ = RedisScript.of("read", INT + """
      local m = redis.call('HMGET', KEYS[1], 'first', 'next', 'finished')
      if not m[1] then return {'not_found'} end
      local from = tonumber(ARGV[1])
      local first = tonumber(m[1])
      local nxt = tonumber(m[2])
      if from < 0 or from > nxt then return {'bad_offset', m[1], m[2]} end
      if from < first then return {'expired', m[1], m[2]} end
      local entries = {}
      if from < nxt then
        entries = redis.call('XRANGE', KEYS[2], int(from) .. '-1', '+', 'COUNT', ARGV[2])
      end
      return {'ok', m[2], m[3], entries}
      """);

  /**
   * KEYS: expiry. ARGV: nowMs, key prefix, meta suffix, events suffix. Deletes the keys of up to
   * 1000 streams whose deadline passed (native expiry usually did already) and answers how many.
   */
  static final RedisScript EXPIRE = RedisScript.of("expire", """
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
      for _, id in ipairs(due) do
        redis.call('DEL', ARGV[2] .. id .. ARGV[3], ARGV[2] .. id .. ARGV[4])
        redis.call('ZREM', KEYS[1], id)
      end
      return #due
      """);

  static final List<RedisScript> ALL = List.of(CREATE, APPEND, READ, EXPIRE);
}
