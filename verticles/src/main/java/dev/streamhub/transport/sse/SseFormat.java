package dev.streamhub.transport.sse;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;

/** How events of a stream look as SSE: the native form, or OpenAI's chat-completion chunks. */
public interface SseFormat {

  void write(Event event, SseResponse out);

  /** The subscription failed after the response started. */
  void fail(HubException error, SseResponse out);
}
