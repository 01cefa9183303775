package dev.streamhub.subscribe;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import io.vertx.core.json.JsonObject;

/**
 * The plain deltas of one catch-up from the log, merged into one {@code snapshot} event: offset
 * {@code to} (the last delta merged), data {@code {"text": <their texts concatenated>, "from":
 * <first offset merged>, "to": <last>}}, {@code ts} the last delta's. Text is joined as Java
 * strings, so a character whose surrogate pair was split between two deltas is whole again.
 *
 * <p>Only plain deltas ({@link Event#plainDeltaText()}) merge: any other event (binary, usage, a
 * delta with other data, a terminal event) first ends the rollup, which is then sent before it.
 * Used by a compact {@link Subscription} only, on its event loop.
 */
final class Rollup {

  private final String stream;
  /** The merged text; null while nothing is merged. */
  private StringBuilder text;
  private long from = -1;
  private long to;
  private long ts;

  Rollup(String stream) {
    this.stream = stream;
  }

  /** Merges {@code event} when it is a plain delta; false (and nothing merged) otherwise. */
  boolean add(Event event) {
    String piece = event.plainDeltaText();
    if (piece == null) {
      return false;
    }
    if (text == null) {
      text = new StringBuilder(Math.max(64, piece.length() * 16));
      from = event.offset();
    }
    text.append(piece);
    to = event.offset();
    ts = event.ts();
    return true;
  }

  boolean isEmpty() {
    return text == null;
  }

  /** The first offset merged; only while not {@link #isEmpty()}. */
  long from() {
    return from;
  }

  /** The snapshot of what was merged; the rollup is empty again. Only while not {@link #isEmpty()}. */
  Event take() {
    Event snapshot = new Event(stream, to, EventType.SNAPSHOT,
        new JsonObject().put("text", text.toString()).put("from", from).put("to", to), ts);
    clear();
    return snapshot;
  }

  /** Forgets what was merged (the subscription closed). */
  void clear() {
    text = null;
    from = -1;
  }
}
