package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.ext.web.RoutingContext;

/**
 * Where a reader starts: the {@code Last-Event-ID} header (what a reconnecting {@code EventSource}
 * sends), else {@code ?lastEventId=} (the last offset seen), else {@code ?from=} (the first offset
 * wanted), else 0. An empty {@code Last-Event-ID} or {@code lastEventId} means "no event seen yet",
 * as in WHATWG HTML's EventSource (which sends none then), and is passed over. An offset is ASCII
 * digits only: a sign, spaces, a decimal point or digits of other scripts (fullwidth {@code ３},
 * Arabic-Indic {@code ٣}, which Java's {@code Long.parseLong} would read as 3) are {@code bad_offset}.
 */
public final class Offsets {

  /** Offsets have at most this many digits (10^18 events is far beyond any stream). */
  private static final int MAX_DIGITS = 18;
  /** Routing-context key of what the client asked for, as it wrote it ({@code "Last-Event-ID 28"}). */
  private static final String ASKED = "streamhub.offsets.asked";

  private Offsets() {}

  public static long startOffset(RoutingContext rc) {
    String header = rc.request().getHeader("Last-Event-ID");
    if (header != null && !header.isEmpty()) {
      return asked(rc, "Last-Event-ID " + header, parse("Last-Event-ID", header) + 1);
    }
    String lastEventId = rc.request().getParam("lastEventId");
    if (lastEventId != null && !lastEventId.isEmpty()) {
      return asked(rc, "lastEventId " + lastEventId, parse("lastEventId", lastEventId) + 1);
    }
    String from = rc.request().getParam("from");
    return from == null ? 0 : asked(rc, "from " + from, parse("from", from));
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

  private static long asked(RoutingContext rc, String asked, long offset) {
    rc.put(ASKED, asked);
    return offset;
  }

  /**
   * {@code err}, or, when it is a {@code bad_offset} refusing the offset {@link #startOffset} chose
   * (one past the end of the stream), the same error naming what the client sent: for
   * {@code Last-Event-ID: 28}, {@code "Last-Event-ID 28 is past the end of the stream: ..."} rather than
   * only the offset 29 that was read. (A parse error has already named it.)
   */
  public static Throwable naming(RoutingContext rc, Throwable err) {
    String asked = rc.get(ASKED);
    if (asked == null || !(err instanceof HubException) || ((HubException) err).code() != ErrorCode.BAD_OFFSET) {
      return err;
    }
    return new HubException(ErrorCode.BAD_OFFSET, asked + " is past the end of the stream: " + err.getMessage());
  }

  /** A non-negative offset written in ASCII digits, or {@code bad_offset} naming where the bad value came from. */
  public static long parse(String name, String value) {
    boolean digits = !value.isEmpty() && value.length() <= MAX_DIGITS;
    for (int i = 0; i < value.length() && digits; i++) {
      digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
    }
    if (!digits) {
      throw new HubException(ErrorCode.BAD_OFFSET, name + " must be a non-negative integer offset in ASCII digits 0-9, got '" + value + "'");
    }
    return Long.parseLong(value);
  }
}
