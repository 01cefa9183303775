package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What the log knows of a stream: who owns it, which model produces it, and its retained range
 * {@code [firstOffset, nextOffset)}. Times are milliseconds since the epoch;
 * {@code finishedAt} is 0 until the terminal event is appended.
 */
public record StreamMeta(
    String id, String owner, String model, long createdAt, long firstOffset, long nextOffset, long finishedAt) {

  /**
   * The {@code model} of a stream no model produces: its owner publishes its events
   * ({@code POST /v1/streams} with {@code "publisher":"external"}). No worker may serve a model of this name.
   */
  public static final String EXTERNAL = "external";

  public StreamMeta {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(model, "model");
    if (firstOffset < 0 || nextOffset < firstOffset) {
      throw new IllegalArgumentException("bad range [" + firstOffset + ", " + nextOffset + ")");
    }
  }

  /** A stream that has no event yet. */
  public static StreamMeta fresh(String id, String owner, String model, long createdAt) {
    return new StreamMeta(id, owner, model, createdAt, 0, 0, 0);
  }

  /** Whether the owner publishes this stream's events, rather than a model worker. */
  public boolean external() {
    return EXTERNAL.equals(model);
  }

  public boolean finished() {
    return finishedAt != 0;
  }

  /**
   * Whether retention drops this stream at {@code nowMs}: finished at least {@code retentionMs}
   * ago, or created at least {@code maxAgeMs} ago. The one retention rule every store applies.
   */
  public boolean expiredAt(long nowMs, long retentionMs, long maxAgeMs) {
    return (finished() && nowMs - finishedAt >= retentionMs) || nowMs - createdAt >= maxAgeMs;
  }

  public StreamMeta withRange(long first, long next, long finished) {
    return new StreamMeta(id, owner, model, createdAt, first, next, finished);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("stream", id)
        .put("owner", owner)
        .put("model", model)
        .put("created", createdAt / 1000)
        .put("first_offset", firstOffset)
        .put("next_offset", nextOffset)
        .put("finished", finished());
  }
}
