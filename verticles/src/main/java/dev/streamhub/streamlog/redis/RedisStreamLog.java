package dev.streamhub.streamlog.redis;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Micros;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store: stream logs in a Redis server ({@code log_store=redis}, or
 * {@code STREAMHUB_STORE=redis://host:port}), shared by every hub node and readable by any tool
 * that speaks Redis. Key layout in {@link RedisKeys} and the README.
 *
 * <p>Each event is an entry of a Redis Stream whose id is its offset ({@code <offset>-1}). Every
 * write is one Lua script ({@link LogScripts}), which Redis runs atomically: an append reads the
 * stream's end and terminal flag from its meta hash, adds the entries ({@code XADD MAXLEN =} the
 * configured maximum, so the oldest beyond it are trimmed exactly as the other stores drop them)
 * and moves the end, all in one step. So offsets are contiguous and assigned atomically however
 * many nodes append, and nothing follows a terminal event. A read is a script too, so the range
 * check and the {@code XRANGE} see the same state.
 *
 * <p>Retention: every stream has a deadline, {@code created + log_max_age_seconds}, lowered to
 * {@code finished + log_retention_seconds} by its terminal append. Both keys carry it as their
 * native expiry ({@code PEXPIREAT}), so Redis drops a stream even when no hub runs; the sorted set
 * {@code <prefix>log:expiry} indexes the deadlines so that {@link #expire()} removes what is due
 * and counts it, as the other stores do.
 *
 * <p>Round trips: every command goes through one {@link CommandBatcher}, which writes what the
 * streams of one event loop queued since its last flush as one pipelined batch on that loop's
 * connection, several batches in flight at once: many streams' appends share one round trip, and
 * appends queued one after the other share one run of the append script ({@link Appends}).
 *
 * <p>Errors: {@code stream_not_found}, {@code stream_finished}, {@code bad_offset},
 * {@code offset_expired}, {@code bad_request} as the {@link StreamLog} contract says;
 * {@code store_unavailable} (503) when Redis cannot be reached or does not answer within
 * {@code redis_timeout_ms}. Needs a standalone Redis (5.0 or newer: Streams); Redis Cluster is not
 * supported, since the expiry sweep touches keys of many slots.
 */
public final class RedisStreamLog implements StreamLog {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamLog.class);
  /** Connections of one log at most: one per event loop that sends commands (each keeps its own), and one for callers outside any. */
  private static final int MAX_CONNECTIONS = 64;

  private final Redis redis;
  private final CommandBatcher batcher;
  private final RedisKeys keys;
  private final StreamLogConfig config;
  private final Appends appends;

  private RedisStreamLog(Redis redis, CommandBatcher batcher, RedisKeys keys, StreamLogConfig config) {
    this.redis = redis;
    this.batcher = batcher;
    this.keys = keys;
    this.config = config;
    this.appends = new Appends(keys, config);
  }

  /** The log at {@code config.redisUrl()}, keys under {@code streamhub:}. */
  public static Future<StreamLog> create(Vertx vertx, StreamLogConfig config) {
    return create(vertx, config, RedisKeys.DEFAULT_PREFIX);
  }

  /**
   * The log with its keys under {@code prefix} (tests use a fresh one per log). Succeeds even when
   * Redis is down at start (calls then fail with {@code store_unavailable} until it answers), so a
   * node can start before its Redis; it logs a warning then.
   */
  public static Future<StreamLog> create(Vertx vertx, StreamLogConfig config, String prefix) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, config.redisTimeoutMs());
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.redisUrl())
        .setMaxPoolSize(MAX_CONNECTIONS)
        .setMaxPoolWaiting(256)
        .setMaxWaitingHandlers(64 * CommandBatcher.MAX_BATCH)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeout).setTcpKeepAlive(true).setTcpNoDelay(true));
    Redis redis = Redis.createClient(vertx, options);
    CommandBatcher batcher = new CommandBatcher(vertx, redis, config.redisTimeoutMs(), LogScripts.ALL);
    RedisStreamLog log = new RedisStreamLog(redis, batcher, new RedisKeys(prefix), config);
    return log.ping()
        .onFailure(err -> LOG.warn("Redis at {} does not answer yet: stream requests fail with store_unavailable until it does",
            withoutPassword(config.redisUrl())))
        .<StreamLog>map(log)
        .otherwise(log);
  }

  @Override
  public Future<StreamMeta> create(StreamMeta meta) {
    long deadline = meta.createdAt() + config.maxAgeSeconds() * 1000;
    return batcher.eval(LogScripts.CREATE, List.of(keys.meta(meta.id()), keys.expiry()),
            List.of(meta.id(), meta.owner(), meta.model(), Long.toString(meta.createdAt()), Long.toString(deadline)))
        .map(reply -> {
          if ("exists".equals(reply.toString())) {
            throw new HubException(ErrorCode.BAD_REQUEST, "stream '" + meta.id() + "' already exists");
          }
          return meta.withRange(0, 0, 0);
        });
  }

  @Override
  public Future<List<Event>> append(String stream, List<NewEvent> events) {
    if (events.isEmpty()) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "nothing to append"));
    }
    for (int i = 0; i < events.size() - 1; i++) {
      if (events.get(i).type().isTerminal()) {
        return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "a terminal event must be the last of its stream"));
      }
    }
    List<NewEvent> batch = List.copyOf(events);
    long nowMicros = Micros.now();
    int[] types = new int[batch.size()];
    byte[][] data = new byte[batch.size()][];
    for (int i = 0; i < batch.size(); i++) {
      types[i] = batch.get(i).type().ordinal();
      data[i] = batch.get(i).dataJson().getBytes(StandardCharsets.UTF_8);
    }
    boolean terminal = batch.get(batch.size() - 1).type().isTerminal();
    return batcher.send(appends, new Appends.Part(keys.meta(stream), keys.events(stream), stream, nowMicros, terminal, types, data))
        .map(reply -> {
          long first = reply.toLong();
          if (first < 0) {
            throw first == -2
                ? new HubException(ErrorCode.STREAM_FINISHED, "stream '" + stream + "' has ended")
                : HubException.streamNotFound(stream);
          }
          List<Event> stored = new ArrayList<>(batch.size());
          for (int i = 0; i < batch.size(); i++) {
            stored.add(batch.get(i).at(stream, first + i, nowMicros));
          }
          return stored;
        });
  }

  @Override
  public Future<ReadResult> read(String stream, long from, int max) {
    if (max < 1) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "max must be at least 1"));
    }
    return batcher.eval(LogScripts.READ, List.of(keys.meta(stream), keys.events(stream)),
            List.of(Long.toString(from), Integer.toString(max)))
        .map(reply -> {
          String status = reply.get(0).toString();
          switch (status) {
            case "ok":
              return page(stream, from, reply);
            case "bad_offset":
              throw new HubException(ErrorCode.BAD_OFFSET, "offset " + from + " is outside the stream, which has offsets 0 to "
                  + (reply.get(2).toLong() - 1));
            case "expired":
              throw new HubException(ErrorCode.OFFSET_EXPIRED, "offset " + from + " has expired; the oldest retained offset is "
                  + reply.get(1).toLong());
            default:
              throw HubException.streamNotFound(stream);
          }
        });
  }

  /** {@code {ok, next, finishedMs, entries}} as a page from {@code from}. */
  private static ReadResult page(String stream, long from, Response reply) {
    Response entries = reply.get(3);
    List<Event> events = new ArrayList<>(entries.size());
    for (Response entry : entries) {
      String id = entry.get(0).toString();
      long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
      Response fields = entry.get(1);
      String type = null;
      String data = null;
      long ts = 0;
      for (int f = 0; f + 1 < fields.size(); f += 2) {
        String value = fields.get(f + 1).toString();
        switch (fields.get(f).toString()) {
          case "t" -> type = value;
          case "d" -> data = value;
          case "ts" -> ts = Long.parseLong(value);
          default -> { }
        }
      }
      events.add(new Event(stream, offset, EventType.parse(type), new JsonObject(data), ts));
    }
    return new ReadResult(events, from + events.size(), !"0".equals(reply.get(2).toString()));
  }

  @Override
  public Future<StreamMeta> meta(String stream) {
    return batcher.send(Request.cmd(Command.HMGET).arg(keys.meta(stream))
            .arg("owner").arg("model").arg("created").arg("first").arg("next").arg("finished"))
        .map(reply -> {
          if (reply.get(0) == null) {
            throw HubException.streamNotFound(stream);
          }
          return new StreamMeta(stream, reply.get(0).toString(), reply.get(1).toString(), reply.get(2).toLong(),
              reply.get(3).toLong(), reply.get(4).toLong(), reply.get(5).toLong());
        });
  }

  /** Removes the streams whose deadline passed (Redis's own expiry usually did already) and counts them. */
  @Override
  public Future<Integer> expire() {
    return batcher.eval(LogScripts.EXPIRE, List.of(keys.expiry()),
            List.of(Long.toString(System.currentTimeMillis()), keys.streamPrefix(), RedisKeys.META_SUFFIX, RedisKeys.EVENTS_SUFFIX))
        .map(Response::toInteger);
  }

  /** {@code PING} through the same pipeline as every other command: fails with {@code store_unavailable} while Redis is unreachable. */
  @Override
  public Future<Void> ping() {
    return batcher.send(Request.cmd(Command.PING)).mapEmpty();
  }

  /** Closes this node's connections; the streams stay in Redis for the other nodes. */
  @Override
  public Future<Void> close() {
    return redis.close();
  }

  /** The pipeline every command of this log goes through (tests count its round trips). */
  CommandBatcher batcher() {
    return batcher;
  }

  private static String withoutPassword(String url) {
    return url.replaceFirst("//[^@/]*@", "//***@");
  }
}
