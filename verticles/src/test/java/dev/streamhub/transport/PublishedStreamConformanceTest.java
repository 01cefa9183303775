package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An externally published stream reads exactly as a model stream on SSE, WebSocket and long-poll:
 * the same events, offsets and bytes as the log holds, whether read after it ended, live while it
 * is published, or resumed from any offset.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishedStreamConformanceTest {

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  /**
   * Deltas (one with a publisher's timestamp in {@code data}), opaque usage and done: 7 events at
   * offsets 0..6. ({@code binary} events are WebSocket binary frames by design, not JSON, so they
   * are checked by the WebSocket protocol tests rather than compared byte for byte here.)
   */
  private static List<Object> batches() {
    JsonObject timestamped = new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "t").put("sent_at_us", 1_700_000_000_000_000L));
    return List.of(
        PublishApiTest.delta("Hello"),
        new JsonArray().add(PublishApiTest.delta(",")).add(PublishApiTest.delta(" wörld")).add(timestamped),
        new JsonArray().add(PublishApiTest.delta("!")).add(new JsonObject().put("type", "usage").put("data", new JsonObject().put("frames", 3))),
        new JsonObject().put("type", "done").put("data", new JsonObject().put("finish_reason", "stop")));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readsAPublishedStreamExactlyAsLoggedFromEveryOffset(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx);
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(createExternal(client));
    for (Object batch : batches()) {
      await(publish(client, stream, batch));
    }
    List<String> logged = logged(hub, stream);
    assertEquals(7, logged.size());
    StreamReader reader = transport.reader(vertx, hub.port());

    for (int k = 0; k < logged.size(); k++) {
      assertEquals(logged.subList(k, logged.size()), encode(await(reader.readAll(stream, k))), "from offset " + k);
    }
  }

  /**
   * Read from the start while the stream is published: offset 0 is logged before the reader
   * starts, 1..6 are published once it has it, and reach it live.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void readsAPublishedStreamWhileItIsPublished(Transport transport, Vertx vertx) {
    readWhilePublished(transport, vertx, 1, 0);
  }

  /**
   * A reader resumes at offset 2 of a stream still being published (offsets 0..3 logged): it gets
   * 2 and 3 from the log, and 4..6, published once it has them, live.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void resumesAPublishedStreamWhileItIsPublished(Transport transport, Vertx vertx) {
    readWhilePublished(transport, vertx, 2, 2);
  }

  /**
   * Publishes the first {@code publishedBefore} batches of {@link #batches()}, has a reader of
   * {@code transport} read from {@code from}, publishes the rest once it has read what was logged
   * (and the hub holds its request), and checks the events it got: offsets {@code from..6}, byte for
   * byte the log; the stream still open when the reader started; and, from the hub's counters
   * ({@code EdgeStats}: events delivered minus events replayed from the log), how many came live.
   * On SSE and WebSocket the connection stays open, so every event published after the reader had
   * the logged ones came live; a long-poll reader is between two requests part of the time, so at
   * least one did.
   */
  private void readWhilePublished(Transport transport, Vertx vertx, int publishedBefore, long from) {
    Hub hub = hub(vertx);
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(createExternal(client));
    List<Object> batches = batches();
    for (Object batch : batches.subList(0, publishedBefore)) {
      await(publish(client, stream, batch));
    }
    long logged = logged(hub, stream).size();
    int before = (int) (logged - from);
    String wire = transport == Transport.SSE ? "sse" : transport == Transport.WS ? "websocket" : "long_poll";
    assertFalse(await(client.get("/v1/streams/" + stream)).bodyAsJsonObject().getBoolean("finished"),
        "the stream is still being published when the reader starts");

    List<JsonObject> received = await(transport.reader(vertx, hub.port()).readAllAfter(stream, from, before,
        () -> TestHubs.eventually(vertx, 5, 2000, () -> Future.succeededFuture(hub.stats().connections(wire) > 0))
            .compose(held -> publishAll(client, stream, batches.subList(publishedBefore, batches.size())))));

    assertEquals(LongStream.range(from, 7).boxed().collect(Collectors.toList()),
        received.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
    List<String> all = logged(hub, stream);
    assertEquals(all.subList((int) from, all.size()), encode(received));
    long live = hub.stats().eventsDelivered(wire) - hub.stats().replayed(wire);
    long publishedAfter = 7 - logged;
    if (transport == Transport.POLL) {
      assertTrue(live >= 1, "some events came live: " + live + " of " + received.size());
    } else {
      assertTrue(live >= publishedAfter, "the " + publishedAfter + " events published once the reader had the logged ones came live: " + live);
    }
  }

  private static Future<Void> publishAll(HubClient client, String stream, List<Object> batches) {
    Future<?> chain = Future.succeededFuture();
    for (Object batch : batches) {
      chain = chain.compose(x -> publish(client, stream, batch));
    }
    return chain.mapEmpty();
  }

  private Hub hub(Vertx vertx) {
    Hub hub = await(TestHubs.start(vertx));
    hubs.add(hub);
    return hub;
  }

  static Future<String> createExternal(HubClient client) {
    return client.postJson("/v1/streams", new JsonObject().put("publisher", "external")).map(resp -> {
      assertEquals(201, resp.statusCode(), resp.bodyAsString());
      return resp.bodyAsJsonObject().getString("stream");
    });
  }

  static Future<JsonObject> publish(HubClient client, String stream, Object batch) {
    return client.post("/v1/streams/" + stream + "/events", Buffer.buffer(batch.toString())).map(resp -> {
      assertEquals(200, resp.statusCode(), resp.bodyAsString());
      return resp.bodyAsJsonObject();
    });
  }

  private static List<String> logged(Hub hub, String stream) {
    return await(hub.log().read(stream, 0, 1000)).events().stream()
        .map(Event::toJson).map(JsonObject::encode).collect(Collectors.toList());
  }

  private static List<String> encode(List<JsonObject> events) {
    return events.stream().map(JsonObject::encode).collect(Collectors.toList());
  }
}
