package dev.streamhub.bench.load;

import java.time.Instant;

/**
 * Wall-clock microseconds since the epoch: the unit of the hub's event {@code ts}. The load
 * generator runs on the hub's host, so {@code Clock.micros() - ts} is the publish-to-receive latency.
 */
public final class Clock {

  private Clock() {}

  public static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }
}
