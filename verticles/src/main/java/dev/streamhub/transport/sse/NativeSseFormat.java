package dev.streamhub.transport.sse;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ErrorResponses;
import io.vertx.core.json.JsonObject;

/**
 * {@code id: <offset>}, {@code event: <type>}, {@code data: <event JSON>}: what {@code EventSource}
 * listeners receive, with {@code lastEventId} set for resuming. A failure is an {@code error} event
 * without an id, whose data is {@code {"error":{...}}}.
 */
public final class NativeSseFormat implements SseFormat {

  public static final NativeSseFormat INSTANCE = new NativeSseFormat();

  private NativeSseFormat() {}

  @Override
  public void write(Event event, SseResponse out) {
    out.event(Long.toString(event.offset()), event.type().wire(), event.wire());
  }

  @Override
  public void fail(HubException error, SseResponse out) {
    out.event(null, "error", ErrorResponses.body(error).encode());
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /**
   * {@code event: reconnect} (no id, so {@code lastEventId} stays the last event's offset), data
   * {@code {"code":"draining","message":..,"next":N}}; the response then ends and EventSource
   * reconnects by itself with {@code Last-Event-ID}.
   */
  @Override
  public void reconnect(long next, SseResponse out) {
    reconnect(next, new HubException(ErrorCode.DRAINING, "this node is shutting down; reconnect (Last-Event-ID) to resume on another node"), out);
  }

  /** The same {@code reconnect} event, with {@code why}'s code and message (say {@code store_unavailable}). */
  @Override
  public void reconnect(long next, HubException why, SseResponse out) {
    out.event(null, "reconnect", new JsonObject()
        .put("code", why.code().code())
        .put("message", why.getMessage())
        .put("next", next)
        .encode());
  }
}
