package dev.streamhub.transport.sse;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ErrorResponses;

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
}
