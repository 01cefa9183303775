package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker that is alive as far as the cluster knows but stopped renewing its lease (hung, cut off):
 * its stream ends with {@code worker_lost} once the lease has been silent for the lost timeout.
 * (A worker whose node leaves the cluster is {@code ClusterIT}'s case.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaseWatchdogTest {

  private static final long LEASE_MS = 50;
  private static final long LOST_MS = 300;
  /**
   * Never before the timeout; at the latest this many lost timeouts after it: a generous bound for a
   * loaded shared machine that still fails a watchdog that waits for the wrong thing (a lease that
   * is never renewed would otherwise only surface as the class timeout).
   */
  private static final long LATEST_MS = 20 * (LOST_MS + LEASE_MS);

  @Test
  void aSilentLeaseEndsItsStreamWithWorkerLostOnceAfterTheTimeout(Vertx vertx, VertxTestContext ctx) {
    JsonObject overrides = new JsonObject().put("worker_lease_ms", LEASE_MS).put("worker_lost_timeout_ms", LOST_MS);
    TestHubs.start(vertx, overrides).compose(hub -> {
      String stream = StreamIds.next();
      HubClient client = new HubClient(vertx, hub.port());
      long[] leased = new long[1];
      return hub.log().create(StreamMeta.fresh(stream, "alice", "demo", System.currentTimeMillis()))
          .compose(created -> hub.log().append(stream, List.of(NewEvent.delta("hello"))))
          .compose(appended -> vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.LEASES_MAP))
          .compose(map -> {
            leased[0] = System.nanoTime();
            return map.put(stream, new JsonObject().put("node", HazelcastSetup.nodeId(vertx)).put("beat", 0)).map(map);
          })
          .compose(map -> client.readSse("/v1/streams/" + stream + "/events").map(response -> {
            long tookMs = (System.nanoTime() - leased[0]) / 1_000_000;
            List<JsonObject> events = SseFrame.events(response.frames()).stream()
                .map(f -> new JsonObject(f.data())).collect(Collectors.toList());
            assertEquals(List.of("delta", "error"), events.stream().map(e -> e.getString("type")).collect(Collectors.toList()));
            assertEquals("worker_lost", events.get(1).getJsonObject("data").getString("code"));
            assertTrue(tookMs >= LOST_MS && tookMs <= LATEST_MS, "worker_lost after " + tookMs + " ms");
            return map;
          }))
          .compose(map -> TestHubs.eventually(vertx, 20, 50, () -> map.get(stream).map(lease -> lease == null)))
          .compose(reaped -> hub.log().meta(stream))
          .map(meta -> {
            assertEquals(2, meta.nextOffset());
            return meta;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
