package dev.streamhub.session;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The kinds of client connection a {@link Session} serves. What differs between them and matters to
 * the session: whether the connection is one HTTP exchange (its end is the session's end), whether a
 * client of it can resume on another node when this one drains, and which heartbeat interval it uses.
 */
public enum Transport {
  /** {@code GET /v1/streams/{id}/events}, native SSE: resumes with {@code Last-Event-ID}. */
  SSE(true, true),
  /** OpenAI chunks over SSE ({@code stream:true}, {@code ?format=openai}): its SDKs cannot resume. */
  OPENAI_SSE(true, false),
  /** {@code /v1/ws}: one socket, several streams; resubscribes from its last offset. */
  WEBSOCKET(false, true),
  /** {@code GET /v1/streams/{id}/poll}: the next poll goes to another node. */
  LONG_POLL(true, true),
  /** {@code POST /v1/chat/completions} with {@code stream:false}: one JSON answer, cannot resume. */
  COMPLETION(true, false);

  private final boolean http;
  private final boolean resumable;
  private final String wire = name().toLowerCase(Locale.ROOT);

  Transport(boolean http, boolean resumable) {
    this.http = http;
    this.resumable = resumable;
  }

  /** True when the connection is one HTTP request/response: the response's end closes the session. */
  public boolean http() {
    return http;
  }

  /**
   * True when a client can resume on another node: a draining node tells it at once; the others run
   * until the drain deadline.
   */
  public boolean resumable() {
    return resumable;
  }

  /** The name in metrics and on {@code /v1/cluster}: {@code sse}, {@code openai_sse}, {@code websocket}, {@code long_poll}, {@code completion}. */
  public String wire() {
    return wire;
  }

  /** Every transport's {@link #wire()} name, in declaration order. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(Transport::wire).toList();
  }
}
