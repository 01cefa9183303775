package dev.streamhub.session;

import dev.streamhub.subscribe.Subscription;

/**
 * The live-path safety net of a reader just opened, run sooner than its session's heartbeat: every
 * {@link #INTERVAL_MS} for its first {@link #CHECKS} seconds, until the live path delivered to it.
 *
 * <p>In a cluster the event bus learns of a new registration eventually; right after a node joined
 * (a rolling restart, a scale-out), while Hazelcast moves partitions, the nodes publishing a stream
 * may not know for seconds that a reader resumed here. The heartbeat re-read
 * ({@link Subscription#heartbeat}, every {@code sse_heartbeat_ms} / {@code ws_ping_interval_ms})
 * would leave such a reader waiting up to that long. Each check asks {@link Subscription#heartbeat}:
 * a reader that heard live events since the previous check is known to the event bus, and the
 * checks stop; a quiet one reads the log from its next offset (one read, which returns nothing new
 * for a stream that is simply quiet). So a reader costs one check once its stream flows, and at most
 * {@link #CHECKS} log reads when it is quiet. One shared {@link Ticker} per event loop, no timer per
 * reader.
 */
final class EarlyCheck extends Ticker.Member {

  /** Time between two checks, the first one this long after the reader opened (ms). */
  static final long INTERVAL_MS = 1000;
  /** Checks at most, then the session's heartbeat alone watches the reader. */
  static final int CHECKS = 8;

  private final Ticker ticker;
  private final Session session;
  private final Subscription reader;
  private int checks;

  EarlyCheck(Ticker ticker, Session session, Subscription reader) {
    this.ticker = ticker;
    this.session = session;
    this.reader = reader;
  }

  @Override
  protected void tick() {
    if (session.closed() || reader.ended() || reader.heartbeat() || ++checks >= CHECKS) {
      ticker.leave(this);
    }
  }
}
