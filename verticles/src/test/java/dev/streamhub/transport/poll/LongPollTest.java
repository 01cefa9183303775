package dev.streamhub.transport.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/streams/{id}/poll}: what is there comes back at once in bounded batches, a poll at
 * the head of a live stream holds until the next event, an empty wait ends in an empty 200, and
 * {@code timeout} is validated and clamped. Streams are written straight to the hub's log, so the
 * test decides exactly when each event exists.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LongPollTest {

  /** Bounds small enough that a dozen events take several polls: four events, or 500 bytes of event JSON. */
  private static final JsonObject SMALL_BATCHES = new JsonObject().put("poll_max_events", 4).put("poll_max_bytes", 500);

  private static final String SMALL = "s".repeat(10);
  private static final String BIG = "B".repeat(300);

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  @Nested
  class AtOnce {

    @Test
    void answersWithEverythingAfterFromInBatchesBoundedByCountAndBytesAndNextContinuesExactly(Vertx vertx) {
      Hub hub = hub(vertx, SMALL_BATCHES);
      String stream = stream(hub);
      // 0-3 small: the count bound; 4 small + 5 big, 6 big + 7 small: the byte bound; 8, 9 and done: the end
      write(vertx, hub, stream, NewEvent.delta(SMALL), NewEvent.delta(SMALL), NewEvent.delta(SMALL), NewEvent.delta(SMALL),
          NewEvent.delta(SMALL), NewEvent.delta(BIG), NewEvent.delta(BIG), NewEvent.delta(SMALL),
          NewEvent.delta(SMALL), NewEvent.delta(SMALL), NewEvent.done("stop"));
      List<String> logged = logged(hub, stream);
      assertBatchDesign(logged);
      HubClient client = new HubClient(vertx, hub.port());

      List<List<Long>> batches = new ArrayList<>();
      List<Long> nexts = new ArrayList<>();
      List<Boolean> dones = new ArrayList<>();
      List<String> received = new ArrayList<>();
      long from = 0;
      boolean done = false;
      while (!done) {
        long started = System.nanoTime();
        HttpResponse<Buffer> resp = await(client.get(poll(stream, from, 20)));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, resp.statusCode(), resp.bodyAsString());
        assertTrue(tookMs < 5_000, "events were there, so the poll answers at once, not at its 20 s timeout: " + tookMs + " ms");
        JsonObject body = resp.bodyAsJsonObject();
        JsonArray events = body.getJsonArray("events");
        batches.add(events.stream().map(e -> ((JsonObject) e).getLong("offset")).collect(Collectors.toList()));
        events.forEach(e -> received.add(((JsonObject) e).encode()));
        from = body.getLong("next");
        nexts.add(from);
        done = body.getBoolean("done");
        dones.add(done);
        assertTrue(batches.size() <= 4, "too many polls: " + batches);
      }

      assertEquals(List.of(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L), List.of(6L, 7L), List.of(8L, 9L, 10L)), batches);
      assertEquals(List.of(4L, 6L, 8L, 11L), nexts);
      assertEquals(List.of(false, false, false, true), dones, "done comes with the batch that holds the terminal event");
      assertEquals(logged, received);
    }

    @Test
    void aFinishedStreamPolledAtItsEndAnswersEmptyAndDone(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("only"), NewEvent.done("stop"));

      long started = System.nanoTime();
      HttpResponse<Buffer> resp = await(new HubClient(vertx, hub.port()).get(poll(stream, 2, 20)));
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertEquals(200, resp.statusCode());
      assertEquals("{\"events\":[],\"next\":2,\"done\":true}", resp.bodyAsString());
      assertEquals("application/json", resp.getHeader("Content-Type"));
      assertEquals(stream, resp.getHeader("X-Stream-Id"));
      assertTrue(tookMs < 5_000, "nothing will ever come, so no waiting: " + tookMs + " ms");
    }
  }

  @Nested
  class Holding {

    @Test
    void holdsAtTheHeadOfALiveStreamUntilTheNextEventIsAppended(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("zero"), NewEvent.delta("one"));
      HubClient client = new HubClient(vertx, hub.port());

      Future<HttpResponse<Buffer>> polling = client.get(poll(stream, 2, 20));
      long[] answeredAt = new long[1];
      polling.onComplete(ar -> answeredAt[0] = System.nanoTime());
      await(TestHubs.delay(vertx, 300));
      assertFalse(polling.isComplete(), "no event at offset 2 yet: the poll must still be held");

      long appendedAt = System.nanoTime();
      write(vertx, hub, stream, NewEvent.delta("two"));
      HttpResponse<Buffer> resp = await(polling);

      assertTrue(answeredAt[0] >= appendedAt, "answered only after the append");
      assertTrue((answeredAt[0] - appendedAt) / 1_000_000 < 5_000, "answered when the event came, not at the 20 s timeout");
      assertEquals(200, resp.statusCode());
      JsonObject body = resp.bodyAsJsonObject();
      assertEquals(new JsonArray(List.of(new JsonObject(logged(hub, stream).get(2)))), body.getJsonArray("events"));
      assertEquals("two", body.getJsonArray("events").getJsonObject(0).getJsonObject("data").getString("text"));
      assertEquals(3L, body.getLong("next"));
      assertFalse(body.getBoolean("done"));
    }

    @Test
    void nothingByTheTimeoutIsAnEmpty200AtTheSameOffset(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("zero"), NewEvent.delta("one"));

      long started = System.nanoTime();
      HttpResponse<Buffer> resp = await(new HubClient(vertx, hub.port()).get(poll(stream, 2, 1)));
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertEquals(200, resp.statusCode());
      assertEquals("{\"events\":[],\"next\":2,\"done\":false}", resp.bodyAsString());
      assertTrue(tookMs >= 1_000 && tookMs < 5_000, "held for the 1 s timeout: " + tookMs + " ms");
    }

    @Test
    void aClientThatGoesAwayMidPollDoesNotDisturbAnotherPollerOfTheStream(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("zero"));
      HubClient client = new HubClient(vertx, hub.port());

      Future<HttpResponse<Buffer>> staying = client.get(poll(stream, 1, 20));
      NetSocket leaving = await(vertx.createNetClient().connect(hub.port(), "127.0.0.1"));
      await(leaving.write("GET " + poll(stream, 1, 20) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      await(TestHubs.delay(vertx, 300));
      await(leaving.close());
      await(TestHubs.delay(vertx, 200));
      assertFalse(staying.isComplete(), "the other poller is still held");

      write(vertx, hub, stream, NewEvent.delta("one"), NewEvent.done("stop"));
      HttpResponse<Buffer> resp = await(staying);

      assertEquals(200, resp.statusCode());
      JsonObject body = resp.bodyAsJsonObject();
      List<String> logged = logged(hub, stream);
      assertEquals(new JsonArray(List.of(new JsonObject(logged.get(1)), new JsonObject(logged.get(2)))), body.getJsonArray("events"));
      assertEquals(3L, body.getLong("next"));
      assertTrue(body.getBoolean("done"));
    }
  }

  @Nested
  class Timeouts {

    @Test
    void aTimeoutAboveTheCapIsClampedToIt(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject().put("poll_max_timeout_seconds", 1).put("poll_default_timeout_seconds", 1));
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("zero"));

      long started = System.nanoTime();
      HttpResponse<Buffer> resp = await(new HubClient(vertx, hub.port()).get(poll(stream, 1, 3600)));
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertEquals(200, resp.statusCode());
      assertEquals("{\"events\":[],\"next\":1,\"done\":false}", resp.bodyAsString());
      assertTrue(tookMs >= 1_000 && tookMs < 5_000, "3600 s clamped to the configured 1 s: " + tookMs + " ms");
    }

    @Test
    void aNegativeOrNonNumericTimeoutIs400BadRequest(Vertx vertx) {
      Hub hub = hub(vertx, new JsonObject());
      String stream = stream(hub);
      write(vertx, hub, stream, NewEvent.delta("zero"));
      HubClient client = new HubClient(vertx, hub.port());

      for (String timeout : List.of("-1", "abc")) {
        HttpResponse<Buffer> resp = await(client.get("/v1/streams/" + stream + "/poll?from=0&timeout=" + timeout));
        assertEquals(400, resp.statusCode(), "timeout=" + timeout);
        assertEquals("bad_request", resp.bodyAsJsonObject().getJsonObject("error").getString("code"), "timeout=" + timeout);
      }
    }
  }

  /**
   * The sizes the expected batches rely on: four small events stay under 500 bytes, a big one alone
   * does too, but a big and a small one together reach it.
   */
  private static void assertBatchDesign(List<String> logged) {
    int small = logged.get(0).length();
    int big = logged.get(5).length();
    assertTrue(4 * (small + 1) < 500, "four small events under the byte bound: " + small);
    assertTrue(big < 500 && big + small >= 500, "a big event alone under the bound, with a small one over it: " + big);
  }

  private Hub hub(Vertx vertx, JsonObject overrides) {
    Hub hub = await(TestHubs.start(vertx, overrides));
    hubs.add(hub);
    return hub;
  }

  private static String stream(Hub hub) {
    String stream = StreamIds.next();
    await(hub.log().create(StreamMeta.fresh(stream, "anonymous", "demo", System.currentTimeMillis())));
    return stream;
  }

  /** Appends, then publishes, as a worker does. */
  private static void write(Vertx vertx, Hub hub, String stream, NewEvent... events) {
    await(new StreamWriter(hub.log(), hub.broker()).write(stream, List.of(events)));
  }

  private static List<String> logged(Hub hub, String stream) {
    return await(hub.log().read(stream, 0, 100_000)).events().stream()
        .map(Event::toJson).map(JsonObject::encode).collect(Collectors.toList());
  }

  private static String poll(String stream, long from, int timeoutSeconds) {
    return "/v1/streams/" + stream + "/poll?from=" + from + "&timeout=" + timeoutSeconds;
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }
}
