package dev.streamhub.broker;

import dev.streamhub.stream.Event;
import java.util.List;

/** Events of one stream, contiguous and in offset order, as published on the stream's address. */
public record EventBatch(List<Event> events) {

  public EventBatch {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("an event batch holds at least one event");
    }
    events = List.copyOf(events);
  }

  /** The stream the events belong to. */
  public String stream() {
    return events.get(0).stream();
  }

  public long lastOffset() {
    return events.get(events.size() - 1).offset();
  }
}
