package dev.streamhub.streamlog.redis;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.EventType;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Joins the appends a batch carries, of any number of streams, into one run of
 * {@link LogScripts#APPEND} (see there for the arguments and the answer). Redis then parses one
 * command and sets up one script call per batch instead of one per append, and the hub waits for
 * and parses one reply. What can be encoded before the batch leaves is encoded by the appender, on
 * its own thread ({@link Part}); the constant arguments once, here.
 */
final class Appends implements CommandBatcher.Joiner<Appends.Part> {

  /** Each event type's wire name, by ordinal. */
  private static final byte[][] WIRE_TYPES = Arrays.stream(EventType.values()).map(t -> ascii(t.wire())).toArray(byte[][]::new);

  private final byte[] sha = ascii(LogScripts.APPEND.sha());
  private final byte[] expiryKey;
  private final byte[] maxEvents;
  private final byte[] retentionMs;

  Appends(RedisKeys keys, StreamLogConfig config) {
    this.expiryKey = keys.expiry().getBytes(StandardCharsets.UTF_8);
    this.maxEvents = ascii(Integer.toString(config.maxEventsPerStream()));
    this.retentionMs = ascii(Long.toString(config.retentionSeconds() * 1000));
  }

  /**
   * One stream's append: its keys, id, time ({@code tsMicros}, the events' {@code ts}), whether it
   * ends with a terminal event, and its events' types (ordinals of {@link EventType}) and data
   * (JSON text, UTF-8).
   */
  record Part(String metaKey, String eventsKey, String stream, long tsMicros, boolean terminal, int[] types, byte[][] data) {}

  @Override
  public Request join(List<Part> parts) {
    Request request = Request.cmd(Command.EVALSHA).arg(sha).arg(1 + 2 * parts.size()).arg(expiryKey);
    for (Part part : parts) {
      request.arg(part.metaKey()).arg(part.eventsKey());
    }
    request.arg(maxEvents).arg(retentionMs);
    for (Part part : parts) {
      request.arg(part.stream()).arg(part.tsMicros()).arg(part.tsMicros() / 1000).arg(part.terminal() ? 1 : 0).arg(part.types().length);
      for (int i = 0; i < part.types().length; i++) {
        request.arg(WIRE_TYPES[part.types()[i]]).arg(part.data()[i]);
      }
    }
    return request;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
