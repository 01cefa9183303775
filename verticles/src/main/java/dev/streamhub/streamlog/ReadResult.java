package dev.streamhub.streamlog;

import dev.streamhub.stream.Event;
import java.util.List;

/**
 * A page of a stream's log. {@code next} is the offset to read from next; {@code finished} is true
 * when the stream has ended (its terminal event is at {@code next - 1}).
 */
public record ReadResult(List<Event> events, long next, boolean finished) {

  public ReadResult {
    events = List.copyOf(events);
  }

  /** True when this page holds the stream's terminal event: nothing follows it. */
  public boolean reachedEnd() {
    return finished && !events.isEmpty() && events.get(events.size() - 1).type().isTerminal();
  }
}
