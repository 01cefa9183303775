package dev.streamhub.bench.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

  @Test
  void latencyPercentilesPerSecondOfReceiveTime() {
    Recorder a = new Recorder(0);
    Recorder b = new Recorder(0);
    a.token(0, 2_000, 0); // second 0: 2 ms
    b.token(1_000_000, 1_010_000, 0); // second 1: 10 ms
    b.token(1_000_000, 1_020_000, 0); // second 1: 20 ms
    a.token(2_500_000, 3_004_000, 0); // second 3: 504 ms; second 2 has none
    a.merge(b);
    Double[] p50 = a.latencyPerSecondMs(50);
    Double[] p99 = a.latencyPerSecondMs(99);
    assertEquals(4, p50.length);
    assertEquals(2.0, p50[0], 0.01);
    assertEquals(10.0, p50[1], 0.02);
    assertEquals(20.0, p99[1], 0.02);
    assertNull(p50[2]);
    assertEquals(504.0, p99[3], 0.5);
  }

  @Test
  void latencyPerSecondIsEndToEndInRelayMode() {
    Recorder r = new Recorder(0);
    r.token(1_000, 2_000, 0);
    r.sent(0, 2_000);
    assertEquals(2.0, r.latencyPerSecondMs(50)[0], 0.01);
  }
}
