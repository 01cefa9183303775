package dev.streamhub.bench.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecorderTest {

  @Test
  void percentilesOfLiveTokensInMilliseconds() {
    Recorder r = new Recorder(0);
    for (int i = 1; i <= 1000; i++) {
      r.token(1_000_000, 1_000_000 + i * 10L, 0);
    }
    r.token(500, 2_000_000, 1_000);
    LatencySummary live = LatencySummary.of(r.live());
    assertEquals(1000, live.count());
    assertEquals(5.0, live.p50Ms(), 0.01);
    assertEquals(9.9, live.p99Ms(), 0.01);
    assertEquals(10.0, live.maxMs(), 0.01);
    assertEquals(1, r.catchUp());
    assertEquals(1001, r.tokens());
  }

  @Test
  void countsTokensPerBucketAndWindow() {
    Recorder a = new Recorder(0);
    Recorder b = new Recorder(0);
    a.token(0, 50_000, 0);
    a.token(0, 1_050_000, 0);
    b.token(0, 1_150_000, 0);
    b.token(0, 2_500_000, 0);
    a.merge(b);
    assertArrayEquals(new long[] {1, 2, 1}, a.perSecond());
    assertEquals(2, a.tokensBetween(1_000_000, 2_000_000));
    assertEquals(1.0, Recorder.windowSeconds(0, 1_000_000, 2_000_000), 1e-9);
    assertEquals(1, a.tokensBetween(1_100_000, 2_000_000));
  }
}
