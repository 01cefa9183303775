package dev.streamhub.session;

import dev.streamhub.stats.EdgeStats;
import dev.streamhub.stream.Event;
import dev.streamhub.subscribe.Sink;

/**
 * A transport's {@link Sink} that counts each event it is handed in {@link EdgeStats#delivered}, and
 * those read from the log in {@link EdgeStats#replayed}, under the session's transport name, so
 * every transport is counted the same way, in one place.
 */
final class CountedSink extends ForwardingSink {

  private final EdgeStats stats;
  private final String transport;

  CountedSink(Sink sink, EdgeStats stats, String transport) {
    super(sink);
    this.stats = stats;
    this.transport = transport;
  }

  @Override
  public void send(Event event) {
    stats.delivered(transport);
    sink.send(event);
  }

  @Override
  public void replayed(int count) {
    if (count > 0) {
      stats.replayed(transport, count);
    }
    sink.replayed(count);
  }
}
