package dev.streamhub.streamlog.redis;

/**
 * The key layout of {@link RedisStreamLog} under a prefix ({@code streamhub:} by default):
 * <ul>
 *   <li>{@code <prefix>log:{<stream>}:meta}, a hash: {@code owner}, {@code model}, {@code created}
 *       (ms since the epoch), {@code first} and {@code next} (the retained offsets
 *       {@code [first, next)}), {@code finished} (ms; 0 while open), {@code deadline} (ms: when
 *       retention drops the stream).</li>
 *   <li>{@code <prefix>log:{<stream>}:events}, a Redis Stream: the event at offset {@code n} is the
 *       entry {@code n-1} with fields {@code t} (type), {@code d} (data, JSON text) and {@code ts}
 *       (append time, µs since the epoch).</li>
 *   <li>{@code <prefix>log:expiry}, a sorted set: stream id scored by its deadline.</li>
 * </ul>
 * The braces are a Redis Cluster hash tag, so a stream's two keys share a slot.
 */
record RedisKeys(String prefix) {

  static final String DEFAULT_PREFIX = "streamhub:";
  static final String META_SUFFIX = "}:meta";
  static final String EVENTS_SUFFIX = "}:events";

  String meta(String stream) {
    return streamPrefix() + stream + META_SUFFIX;
  }

  String events(String stream) {
    return streamPrefix() + stream + EVENTS_SUFFIX;
  }

  String expiry() {
    return prefix + "log:expiry";
  }

  /** What precedes a stream id in its keys. */
  String streamPrefix() {
    return prefix + "log:{";
  }
}
