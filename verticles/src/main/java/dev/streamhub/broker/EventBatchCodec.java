package dev.streamhub.broker;

import dev.streamhub.stream.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries {@link EventBatch} on the event bus: as the same immutable instance inside a JVM, as a
 * JSON array of events between nodes.
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
    JsonArray array = new JsonArray();
    batch.events().forEach(e -> array.add(e.toJson()));
    Buffer json = array.toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public EventBatch decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    JsonArray array = new JsonArray(buffer.getBuffer(pos + 4, pos + 4 + length));
    List<Event> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      events.add(Event.fromJson(array.getJsonObject(i)));
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
