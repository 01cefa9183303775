package dev.streamhub.streamlog;

import dev.streamhub.broker.Broker;
import dev.streamhub.broker.EventBatch;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * The one way events enter a stream: append to the log, and only once the log has them, publish
 * them through the hub's {@link Broker} (to this node's subscriptions, the other nodes', and the
 * stream's event-bus address).
 * Subscribers rely on this order to resume exactly.
 */
public final class StreamWriter {

  private final StreamLog log;
  private final Broker broker;

  public StreamWriter(StreamLog log, Broker broker) {
    this.log = log;
    this.broker = broker;
  }

  /**
   * Appends then publishes; the future holds the events with their offsets. Each event's wire
   * text is made here, on the writing thread, while its data is still in this core's cache; the
   * edge threads that send it then read one string instead of walking a cold {@code JsonObject}.
   */
  public Future<List<Event>> write(String stream, List<NewEvent> events) {
    return log.append(stream, events).map(written -> {
      for (int i = 0; i < written.size(); i++) {
        written.get(i).wire();
      }
      broker.publish(stream, new EventBatch(written));
      return written;
    });
  }

  public Future<List<Event>> write(String stream, NewEvent event) {
    return write(stream, List.of(event));
  }
}
