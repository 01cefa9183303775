package dev.streamhub.stream;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch: the unit of {@link Event#ts()}. */
public final class Micros {

  private Micros() {}

  public static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }
}
