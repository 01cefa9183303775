package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.RawHttp;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #12 item 4, for HTTP: an SSE client and a long-poll client that never read their socket
 * (a small receive buffer, not one byte read) while their stream produces megabytes. The hub holds
 * at most the per-client write queue for such a client ({@code http_write_queue_bytes}, plus the
 * one event that crossed the mark), asserted on what the hub itself holds
 * ({@code EdgeStats.streamBytesHeld}), not on kernel buffers; and a neighbour stream's reader
 * gets every offset of its stream, exactly, meanwhile. A long-poll client may pipeline more polls
 * behind the one it does not read; they cost no more.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NeverReadingClientTest {

  private static final int WRITE_QUEUE = 16 * 1024;
  private static final int SEND_BUFFER = 4 * 1024;
  private static final int RECEIVE_BUFFER = 4 * 1024;
  /** The event that crosses the write queue's high-water mark, with room to spare. */
  private static final int ONE_EVENT = 4 * 1024;
  /** What the hub may hold for one client: its write queue and the event that filled it. */
  private static final long CAP = WRITE_QUEUE + ONE_EVENT;
  /** About 5.6 MB of events, generated in under a second. */
  private static final int TOKENS = 40_000;
  private static final int NEIGHBOUR_TOKENS = 2_000;
  /** Polls a long-poll client sends in one go on one connection, reading none of the answers. */
  private static final int PIPELINED_POLLS = 20;

  private Hub hub;

  @AfterEach
  void stopHub() {
    if (hub != null) {
      await(hub.stop());
    }
  }

  enum Client { SSE, LONG_POLL, PIPELINED_LONG_POLLS }

  @ParameterizedTest
  @EnumSource(Client.class)
  void aClientThatNeverReadsCostsTheHubItsWriteQueueAndNobodyElseAnything(Client kind, Vertx vertx) throws Exception {
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("http_write_queue_bytes", WRITE_QUEUE)
        .put("http_send_buffer_bytes", SEND_BUFFER)
        .put("demo_tokens_per_second", 100_000)
        .put("demo_answer_tokens", TOKENS)
        .put("demo_max_tokens", TOKENS)));
    HubClient client = new HubClient(vertx, hub.port());
    String big = await(client.createStream(TestHubs.chat("never read", 1L)));
    // the most the hub held, sampled every 10 ms: alone (before and after the neighbour), and with the neighbour
    AtomicLong alone = new AtomicLong();
    AtomicLong withNeighbour = new AtomicLong();

    if (kind != Client.SSE) {
      // a poll is answered at once with what is logged: asked before the stream has a write queue's
      // worth of events, a small answer would fit in the kernel's buffers and the hub would hold
      // nothing, so the test would not engage
      await(TestHubs.eventually(vertx, 10, 6_000, () -> hub.log().meta(big).map(StreamMeta::finished)));
    }
    try (RawHttp stuck = RawHttp.connect(hub.port(), RECEIVE_BUFFER)) {
      open(kind, stuck, big);
      // the stream is generated and logged in full while the client reads nothing
      await(TestHubs.eventually(vertx, 10, 6_000, () -> hub.log().meta(big).map(meta -> {
        sample(alone);
        return meta.finished();
      })));
      assertTrue(alone.get() <= CAP, "the hub held " + alone.get() + " bytes > " + CAP + " for the client while its stream was generated");
      StreamMeta bigMeta = await(hub.log().meta(big));
      assertEquals(TOKENS + 2, bigMeta.nextOffset(), "the whole stream was logged: " + bigMeta);

      // a neighbour reads another stream from start to end meanwhile
      String neighbour = await(client.createStream(TestHubs.chat("neighbour", 2L).put("max_tokens", NEIGHBOUR_TOKENS)));
      Future<List<JsonObject>> read = Transport.SSE.reader(vertx, hub.port()).readAll(neighbour, 0);
      await(TestHubs.eventually(vertx, 10, 6_000, () -> {
        sample(withNeighbour);
        return Future.succeededFuture(read.isComplete());
      }));
      assertTrue(withNeighbour.get() <= 2 * CAP, "the hub held " + withNeighbour.get() + " bytes > " + 2 * CAP + " for both clients");
      List<JsonObject> got = await(read);
      assertEquals(range(0, await(hub.log().meta(neighbour)).nextOffset()), offsets(got), "the neighbour's every offset, once, in order");
      assertEquals("done", got.get(got.size() - 1).getString("type"));

      // alone again once the neighbour's connection is gone from the hub's count
      long stuckSse = kind == Client.SSE ? 1 : 0;
      await(TestHubs.eventually(vertx, 10, 1_000, () -> Future.succeededFuture(hub.stats().connections("sse") == stuckSse)));
      await(TestHubs.consistently(vertx, 10, 50, () -> Future.succeededFuture(sample(alone))));
      assertTrue(alone.get() <= CAP, "the hub held " + alone.get() + " bytes > " + CAP + " for the client alone");
      long stillHeld = hub.stats().streamBytesHeld();
      assertTrue(stillHeld > 0, "the hub holds nothing for a client that read nothing: the test did not engage");
      System.out.printf("%s never reading: cap %d, held alone at most %d, with the neighbour %d%n", kind, CAP, alone.get(), withNeighbour.get());
    }
    // the client gone, nothing is held for it
    await(TestHubs.eventually(vertx, 10, 1_000, () -> Future.succeededFuture(hub.stats().streamBytesHeld() == 0)));
  }

  /** Sends the client's request(s) and reads nothing at all, not even the status line. */
  private static void open(Client kind, RawHttp stuck, String stream) throws IOException {
    switch (kind) {
      case SSE:
        stuck.send("GET", "/v1/streams/" + stream + "/events", Map.of(), null);
        break;
      case LONG_POLL:
        stuck.send("GET", "/v1/streams/" + stream + "/poll?from=0&timeout=5", Map.of(), null);
        break;
      default:
        for (int i = 0; i < PIPELINED_POLLS; i++) {
          stuck.send("GET", "/v1/streams/" + stream + "/poll?from=" + i + "&timeout=5", Map.of(), null);
        }
    }
  }

  /** Records what the hub holds now into {@code max}. */
  private boolean sample(AtomicLong max) {
    max.accumulateAndGet(hub.stats().streamBytesHeld(), Math::max);
    return true;
  }

  private static List<Long> range(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  private static List<Long> offsets(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
  }

  private static <T> T await(Future<T> future) {
    return TransportConformanceTest.await(future);
  }
}
