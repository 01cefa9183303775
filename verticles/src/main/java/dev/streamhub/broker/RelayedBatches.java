package dev.streamhub.broker;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * What one node sends the others on {@link dev.streamhub.cluster.Addresses#LIVE}: the batches of
 * any number of streams its writers published since its previous message, in publish order, and
 * the id of the node they come from. Encoded once however many nodes it goes to ({@link RelayedBatchesCodec}).
 */
public final class RelayedBatches {

  private final String origin;
  private final List<EventBatch> batches;
  /** The wire form, made by the first encode and reused for every other node. */
  private volatile Buffer encoded;

  public RelayedBatches(String origin, List<EventBatch> batches) {
    this.origin = origin;
    this.batches = List.copyOf(batches);
  }

  /** The sender: its node id and broker instance. */
  public String origin() {
    return origin;
  }

  /** Batches of one stream each, in the order the sender published them. */
  public List<EventBatch> batches() {
    return batches;
  }

  /** The number of events in all batches. */
  public int events() {
    int n = 0;
    for (EventBatch batch : batches) {
      n += batch.events().size();
    }
    return n;
  }

  Buffer encoded() {
    Buffer buffer = encoded;
    if (buffer == null) {
      buffer = RelayedBatchesCodec.encode(this);
      encoded = buffer;
    }
    return buffer;
  }
}
