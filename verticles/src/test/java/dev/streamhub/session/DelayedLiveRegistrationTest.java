package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two clustered nodes in this JVM: a worker, and an edge whose live registrations the event bus
 * never learns of during the test (its broker reports them registered at once and registers them
 * a minute later): every batch the worker publishes misses the edge. Readers on every transport,
 * and a whole {@code stream:false} completion, must still finish with exactly the log, within a
 * bound, from the session's heartbeat safety net alone (the completion once waited for ever).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DelayedLiveRegistrationTest {

  /** {@link LateLiveEdge#TOKENS} tokens at as many tokens/s: the generation takes about a second. */
  private static final long GENERATION_MS = 1000;
  /** The heartbeat (and so the safety net) interval of the edge's sessions. */
  private static final long HEARTBEAT_MS = 200;
  /**
   * Every reader finishes within this of starting: the generation, then heartbeats, with room for a
   * loaded 2-core machine (5.2 s was seen at load average 30). A reader that waited for the live path
   * would not finish at all, and a long-poll held to its timeout (25 s, `poll_default_timeout_seconds`)
   * not within this either.
   */
  private static final long BOUND_MS = GENERATION_MS + 10_000;

  @Test
  void everyTransportAndAWholeCompletionFinishWithTheExactLogWithoutTheLivePath() throws Exception {
    try (LateLiveEdge cluster = LateLiveEdge.start(new JsonObject()
        .put("sse_heartbeat_ms", HEARTBEAT_MS)
        .put("ws_ping_interval_ms", HEARTBEAT_MS))) {
      Map<String, Long> took = cluster.readEverywhere("late", 11L);
      took.forEach((what, ms) -> assertTrue(ms < BOUND_MS, what + " finished after " + ms + " ms, bound " + BOUND_MS + " ms"));
      // the live path really was missing: not one batch reached the edge's readers live
      assertEquals(0, cluster.deliveredLive());
    }
  }
}
