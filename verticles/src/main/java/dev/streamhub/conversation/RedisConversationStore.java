package dev.streamhub.conversation;

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
 * Conversations in Redis: the string {@code streamhub:conv:<id>} holds the conversation's JSON
 * text and expires {@code conversation_ttl_seconds} after its last change. Compare-and-set is a
 * Lua script (atomic in Redis). Conversations change once per turn, not per token, so each call is
 * one command on the client's pool rather than a shared batch. Every call is bounded by
 * {@code redis_timeout_ms} and fails with {@code store_unavailable} when Redis cannot be reached.
 */
public final class RedisConversationStore implements ConversationStore {

  public static final String PREFIX = "streamhub:conv:";

  /** KEYS: the conversation. ARGV: expected text ("" with ARGV[3] = 1: nothing stored), new text, expect-absent flag, ttl ms. */
  private static final String COMPARE_AND_SET = """
      local current = redis.call('GET', KEYS[1])
      if ARGV[3] == '1' then
        if current then return 0 end
      elseif current ~= ARGV[1] then
        return 0
      end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
      return 1
      """;

  private final Redis redis;
  private final long timeoutMs;
  private final long ttlMs;

  public RedisConversationStore(Vertx vertx, String url, long timeoutMs, long ttlMs) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    this.redis = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(4)
        .setMaxPoolWaiting(256)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeout).setTcpKeepAlive(true)));
    this.timeoutMs = timeoutMs;
    this.ttlMs = ttlMs;
  }

  @Override
  public Future<String> get(String id) {
    return send(Request.cmd(Command.GET).arg(PREFIX + id)).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Boolean> compareAndSet(String id, String expected, String value) {
    Request eval = Request.cmd(Command.EVAL).arg(COMPARE_AND_SET).arg(1).arg(PREFIX + id)
        .arg(expected == null ? "" : expected).arg(value).arg(expected == null ? "1" : "0").arg(Long.toString(ttlMs));
    return send(eval).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Boolean> delete(String id) {
    return send(Request.cmd(Command.DEL).arg(PREFIX + id)).map(r -> r.toInteger() > 0);
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private Future<Response> send(Request request) {
    return redis.send(request)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(new HubException(ErrorCode.STORE_UNAVAILABLE,
            "the conversation store (Redis) is unavailable; retry later")));
  }
}
