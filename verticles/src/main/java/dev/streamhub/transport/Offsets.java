package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.ext.web.RoutingContext;

/**
 * Where a reader starts: the {@code Last-Event-ID} header (what a reconnecting {@code EventSource}
 * sends), else {@code ?lastEventId=} (the last offset seen), else {@code ?from=} (the first offset
 * wanted), else 0.
 */
public final class Offsets {

  private Offsets() {}

  public static long startOffset(RoutingContext rc) {
    String header = rc.request().getHeader("Last-Event-ID");
    if (header != null && !header.isBlank()) {
      return parse("Last-Event-ID", header) + 1;
    }
    String lastEventId = rc.request().getParam("lastEventId");
    if (lastEventId != null) {
      return parse("lastEventId", lastEventId) + 1;
    }
    String from = rc.request().getParam("from");
    return from == null ? 0 : parse("from", from);
  }

  /**
   * The {@code compact} query parameter: {@code true} makes the catch-up part of a read one
   * {@code snapshot} event; absent or {@code false} (the default) sends every event. Anything else
   * is {@code bad_request}.
   */
  public static boolean compact(RoutingContext rc) {
    String value = rc.request().getParam("compact");
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw new HubException(ErrorCode.BAD_REQUEST, "compact must be 'true' or 'false', got '" + value + "'");
  }

  /** A non-negative offset, or {@code bad_offset} naming where the bad value came from. */
  public static long parse(String name, String value) {
    try {
      long offset = Long.parseLong(value.trim());
      if (offset >= 0 && offset < Long.MAX_VALUE) {
        return offset;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error
    }
    throw new HubException(ErrorCode.BAD_OFFSET, name + " must be a non-negative integer offset, got '" + value + "'");
  }
}
