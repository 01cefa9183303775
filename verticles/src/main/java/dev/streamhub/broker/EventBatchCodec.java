package dev.streamhub.broker;

import dev.streamhub.stream.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries {@link EventBatch} on the event bus: as the same immutable instance inside a JVM (the
 * hub publishes batches on a stream's address on each node only, see {@link EventBusBroker}), and
 * in {@link Event#writeTo}'s binary form should one be sent to another node: length (4 bytes),
 * stream id, event count (4), the events.
 */
public final class EventBatchCodec implements MessageCodec<EventBatch, EventBatch> {

  public static final String NAME = "streamhub.events";

  /** Makes this the codec of every {@link EventBatch} sent on {@code vertx}'s bus; safe to call twice. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another Hub on the same Vertx registered it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, EventBatch batch) {
    int lengthAt = buffer.length();
    buffer.appendInt(0);
    Event.appendText(buffer, batch.stream());
    buffer.appendInt(batch.events().size());
    for (Event event : batch.events()) {
      event.writeTo(buffer);
    }
    buffer.setInt(lengthAt, buffer.length() - lengthAt - 4);
  }

  @Override
  public EventBatch decodeFromWire(int pos, Buffer buffer) {
    int[] at = {pos + 4};
    String stream = Event.readText(buffer, at);
    int size = buffer.getInt(at[0]);
    at[0] += 4;
    List<Event> events = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      events.add(Event.readFrom(stream, buffer, at));
    }
    return new EventBatch(events);
  }

  @Override
  public EventBatch transform(EventBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
