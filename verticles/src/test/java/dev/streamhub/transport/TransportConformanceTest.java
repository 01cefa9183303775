package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One suite, three transports: SSE, WebSocket and long-poll deliver the same offsets and the same
 * bytes, resume the same way, end the same way on cancel and refuse the same inputs with the same
 * error codes. Every assertion is on the exact sequence of events.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransportConformanceTest {

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readsAFinishedStreamExactlyAsLogged(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx, 2000);
    String stream = finishedStream(vertx, hub);
    List<String> logged = logged(hub, stream);

    List<String> received = encode(await(transport.reader(vertx, hub.port()).readAll(stream, 0)));

    assertEquals(logged, received);
    assertEquals("done", new JsonObject(received.get(received.size() - 1)).getString("type"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void resumesFromEveryOffsetOfAFinishedStream(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx, 2000);
    String stream = finishedStream(vertx, hub);
    List<String> logged = logged(hub, stream);
    StreamReader reader = transport.reader(vertx, hub.port());

    for (int k = 0; k < logged.size(); k++) {
      List<String> received = encode(await(reader.readAll(stream, k)));
      assertEquals(logged.subList(k, logged.size()), received, "resuming from offset " + k);
    }
  }

  static Stream<Arguments> transportPairs() {
    return Stream.of(Transport.values()).flatMap(a -> Stream.of(Transport.values()).map(b -> Arguments.of(a, b)));
  }

  /** Deltas the test publishes before the first reader starts, and again once the resumed reader caught up. */
  private static final int BATCH = 10;

  /**
   * A reader drops mid-stream and another resumes after the last offset it got, on any pair of
   * transports, while the stream is still being generated: the resumed reader gets exactly the
   * missing offsets (from the log), then the events published after it caught up (which can reach
   * it only while it is connected: live), with no gap and no duplicate, byte for byte what the log
   * holds. The test publishes the stream itself (relay mode), so "still generating" and "arrived
   * live" are facts it controls rather than a race against a model's pace on a loaded machine.
   */
  @ParameterizedTest(name = "{0} then {1}")
  @MethodSource("transportPairs")
  void resumesALiveStreamOnAnyTransportWithoutGapOrDuplicate(Transport first, Transport second, Vertx vertx) {
    Hub hub = hub(vertx, 2000);
    HubClient client = new HubClient(vertx, hub.port());
    Random random = new Random(first.ordinal() * 31L + second.ordinal());
    for (int round = 0; round < 2; round++) {
      String stream = await(client.createExternalStream());
      await(client.publishDeltas(stream, 0, BATCH));
      int cut = 1 + random.nextInt(BATCH - 1);

      List<JsonObject> before = await(first.reader(vertx, hub.port()).readSome(stream, 0, cut));
      long resumeFrom = before.get(before.size() - 1).getLong("offset") + 1;
      assertFalse(await(client.get("/v1/streams/" + stream)).bodyAsJsonObject().getBoolean("finished"),
          "the stream is still generating when the reader resumes");
      int missing = (int) (BATCH - resumeFrom);
      // once the resumed reader has the missing events, and the hub holds its request (a long-poll
      // between two requests has none; its next one is counted once its session is open), publish the rest
      List<JsonObject> after = await(second.reader(vertx, hub.port()).readAllAfter(stream, resumeFrom, missing,
          () -> TestHubs.eventually(vertx, 5, 2000, () -> Future.succeededFuture(hub.stats().connections(wire(second)) > 0))
              .compose(held -> client.publishDeltas(stream, BATCH, 2 * BATCH))
              .compose(x -> client.publish(stream, new JsonObject().put("type", "done")))));

      String what = first + " cut after " + cut + " events, resumed on " + second;
      assertEquals(range(resumeFrom, BATCH), offsets(after.subList(0, Math.min(missing, after.size()))), what + ": the missing offsets");
      assertEquals(range(BATCH, 2 * BATCH + 1), offsets(after.subList(Math.min(missing, after.size()), after.size())),
          what + ": then the live ones, through done");
      List<JsonObject> all = new ArrayList<>(before);
      all.addAll(after);
      List<String> logged = logged(hub, stream);
      assertEquals(range(0, logged.size()), offsets(all), what);
      assertEquals(logged, encode(all), what);
    }
  }

  /** The hub's name of a transport in its connection counts ({@code EdgeStats}). */
  private static String wire(Transport transport) {
    switch (transport) {
      case SSE:
        return "sse";
      case WS:
        return "websocket";
      default:
        return "long_poll";
    }
  }

  private static List<Long> range(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void cancelEndsTheStreamWithCancelledAfterContiguousOffsets(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx, 40);
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(client.createStream(TestHubs.chat("cancel me", 1L).put("max_tokens", 400)));
    Future<List<JsonObject>> reading = transport.reader(vertx, hub.port()).readAll(stream, 0);
    await(TestHubs.eventually(vertx, 10, 500, () -> client.get("/v1/streams/" + stream)
        .map(resp -> resp.bodyAsJsonObject().getLong("next_offset") >= 3)));

    JsonObject cancelled = await(client.delete("/v1/streams/" + stream)).bodyAsJsonObject();
    List<JsonObject> events = await(reading);

    JsonObject last = events.get(events.size() - 1);
    assertEquals("cancelled", last.getString("type"));
    assertEquals(cancelled.getLong("offset"), last.getLong("offset"));
    assertEquals(LongStream.rangeClosed(0, last.getLong("offset")).boxed().collect(Collectors.toList()), offsets(events));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void refusesUnknownStreamsAndBadOffsetsWithTheSameCodes(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx, 2000);
    String stream = finishedStream(vertx, hub);
    int end = logged(hub, stream).size();
    StreamReader reader = transport.reader(vertx, hub.port());
    int notFound = transport == Transport.WS ? 0 : 404;
    int badRequest = transport == Transport.WS ? 0 : 400;

    assertEquals(new StreamReader.Refusal(notFound, "stream_not_found"), await(reader.refusal("st_AAAAAAAAAAAAAAAAAAAAAA", "0")));
    assertEquals(new StreamReader.Refusal(notFound, "stream_not_found"), await(reader.refusal("nonsense", "0")));
    assertEquals(new StreamReader.Refusal(badRequest, "bad_offset"), await(reader.refusal(stream, "-1")));
    assertEquals(new StreamReader.Refusal(badRequest, "bad_offset"), await(reader.refusal(stream, "abc")));
    assertEquals(new StreamReader.Refusal(badRequest, "bad_offset"), await(reader.refusal(stream, Integer.toString(end + 1))));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void refusesOffsetsBelowTheRetainedRangeAsExpired(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx, 2000, new JsonObject().put("log_max_events_per_stream", 10));
    String stream = finishedStream(vertx, hub);
    StreamReader reader = transport.reader(vertx, hub.port());
    List<String> retained = logged(hub, stream);
    long firstRetained = new JsonObject(retained.get(0)).getLong("offset");
    assertTrue(firstRetained > 0, "the stream must be longer than the retention");

    assertEquals(new StreamReader.Refusal(transport == Transport.WS ? 0 : 410, "offset_expired"), await(reader.refusal(stream, "0")));
    assertEquals(retained, encode(await(reader.readAll(stream, firstRetained))));
  }

  private Hub hub(Vertx vertx, int tokensPerSecond) {
    return hub(vertx, tokensPerSecond, new JsonObject());
  }

  private Hub hub(Vertx vertx, int tokensPerSecond, JsonObject more) {
    Hub hub = await(TestHubs.start(vertx, new JsonObject().put("demo_tokens_per_second", tokensPerSecond).mergeIn(more)));
    hubs.add(hub);
    return hub;
  }

  private static String finishedStream(Vertx vertx, Hub hub) {
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(client.createStream(TestHubs.chat("conformance", 42L).put("max_tokens", 30)));
    await(client.awaitFinished(vertx, stream));
    return stream;
  }

  /** The retained events of {@code stream}, as the log holds them, in wire form. */
  private static List<String> logged(Hub hub, String stream) {
    long first = await(hub.log().meta(stream)).firstOffset();
    return await(hub.log().read(stream, first, 100_000)).events().stream()
        .map(Event::toJson).map(JsonObject::encode).collect(Collectors.toList());
  }

  private static List<String> encode(List<JsonObject> events) {
    return events.stream().map(JsonObject::encode).collect(Collectors.toList());
  }

  private static List<Long> offsets(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
  }

  static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }
}
