package dev.streamhub.stream;

import java.util.Locale;

/**
 * The kinds of event a stream holds. Exactly one terminal event ({@link #isTerminal()}) ends a stream.
 * {@link #SNAPSHOT} is never stored: a compact read makes it from the deltas it merges
 * ({@code dev.streamhub.subscribe.Rollup}), and publishing one is refused.
 */
public enum EventType {
  DELTA, BINARY, USAGE, DONE, ERROR, CANCELLED,
  /** {@code {"text", "from", "to"}}: the deltas {@code from..to} of a compact read, merged; offset {@code to}. */
  SNAPSHOT;

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The lowercase name used on every transport ({@code delta}, {@code done}, ...). */
  public String wire() {
    return wire;
  }

  public boolean isTerminal() {
    return this == DONE || this == ERROR || this == CANCELLED;
  }

  /** Parses a wire name; fails with {@code bad_request} for anything else. */
  public static EventType parse(String wire) {
    if (wire != null) {
      for (EventType type : values()) {
        if (type.wire.equals(wire)) {
          return type;
        }
      }
    }
    throw new HubException(ErrorCode.BAD_REQUEST, "unknown event type '" + wire + "'");
  }
}
