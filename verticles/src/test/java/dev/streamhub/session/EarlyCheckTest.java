package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.config.ConfigKey;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The early checks of a new reader ({@link EarlyCheck}) with the default heartbeats
 * ({@code sse_heartbeat_ms} 15 s, {@code ws_ping_interval_ms} 20 s): two clustered nodes in this
 * JVM, the edge's live registrations reach the event bus only after a minute (a node the bus does
 * not know yet). Readers on every transport and a whole {@code stream:false} completion must finish
 * with exactly the log within a few seconds of the generation's end, long before the first
 * heartbeat re-read could have run (which is what they waited for before the early checks).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EarlyCheckTest {

  /** {@link LateLiveEdge#TOKENS} tokens at as many tokens/s, after the demo's time to first token: about a second. */
  private static final long GENERATION_MS = 1200;
  /**
   * The generation, then up to two early checks and a loaded 2-core machine's slack (8 s: a sibling
   * test took 4 s longer than its quiet time at load average 30): still below the 15 s heartbeat a
   * reader without the early checks waits for.
   */
  private static final long BOUND_MS = GENERATION_MS + 2 * EarlyCheck.INTERVAL_MS + 8000;

  @Test
  void newReadersCatchUpFromTheLogWithinSecondsNotAHeartbeat() throws Exception {
    assertEquals(15_000L, ConfigKey.SSE_HEARTBEAT_MS.defaultValue(), "the default heartbeat");
    try (LateLiveEdge cluster = LateLiveEdge.start(new JsonObject())) {
      Map<String, Long> took = cluster.readEverywhere("early", 21L);
      took.forEach((what, ms) -> assertTrue(ms < BOUND_MS, what + " finished after " + ms + " ms, bound " + BOUND_MS + " ms"));
    }
  }
}
