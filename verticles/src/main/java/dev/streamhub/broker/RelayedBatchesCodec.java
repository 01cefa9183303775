package dev.streamhub.broker;

import dev.streamhub.stream.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries {@link RelayedBatches} between nodes in a binary form: total length (4 bytes), origin,
 * batch count (4), then per batch its stream id, event count (4) and each event as
 * {@link Event#writeTo} writes it, wire text included, so the receiving node sends clients the text
 * the writer's node made, without a JSON parse or encode. The same instance inside a JVM.
 */
public final class RelayedBatchesCodec implements MessageCodec<RelayedBatches, RelayedBatches> {

  public static final String NAME = "streamhub.relayed";

  /** Makes this the codec of every {@link RelayedBatches} sent on {@code vertx}'s bus; safe to call twice. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(RelayedBatches.class, new RelayedBatchesCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another Hub on the same Vertx registered it
    }
  }

  static Buffer encode(RelayedBatches relayed) {
    Buffer out = Buffer.buffer(256 + relayed.events() * 160);
    out.appendInt(0);
    Event.appendText(out, relayed.origin());
    out.appendInt(relayed.batches().size());
    for (EventBatch batch : relayed.batches()) {
      Event.appendText(out, batch.stream());
      out.appendInt(batch.events().size());
      for (Event event : batch.events()) {
        event.writeTo(out);
      }
    }
    out.setInt(0, out.length() - 4);
    return out;
  }

  @Override
  public void encodeToWire(Buffer buffer, RelayedBatches relayed) {
    buffer.appendBuffer(relayed.encoded());
  }

  @Override
  public RelayedBatches decodeFromWire(int pos, Buffer buffer) {
    int[] at = {pos + 4};
    String origin = Event.readText(buffer, at);
    int count = buffer.getInt(at[0]);
    at[0] += 4;
    List<EventBatch> batches = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      String stream = Event.readText(buffer, at);
      int size = buffer.getInt(at[0]);
      at[0] += 4;
      Event[] events = new Event[size];
      for (int i = 0; i < size; i++) {
        events[i] = Event.readFrom(stream, buffer, at);
      }
      batches.add(new EventBatch(List.of(events)));
    }
    return new RelayedBatches(origin, batches);
  }

  @Override
  public RelayedBatches transform(RelayedBatches relayed) {
    return relayed;
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
