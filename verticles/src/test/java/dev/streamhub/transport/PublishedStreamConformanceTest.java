package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

  @ParameterizedTest
  @EnumSource(Transport.class)
  void readsAPublishedStreamWhileItIsPublished(Transport transport, Vertx vertx) {
    Hub hub = hub(vertx);
    HubClient client = new HubClient(vertx, hub.port());
    String stream = await(createExternal(client));
    Future<List<JsonObject>> reading = transport.reader(vertx, hub.port()).readAll(stream, 0);
    // the reader is connected (its session counted, its first read of the empty log done) before
    // anything is published: every event reaches it while the stream is being published, none from replay alone
    String wire = transport == Transport.SSE ? "sse" : transport == Transport.WS ? "websocket" : "long_poll";
    await(TestHubs.eventually(vertx, 10, 1000, () -> Future.succeededFuture(hub.stats().connections(wire) == 1)));
    for (Object batch : batches()) {
      await(publish(client, stream, batch));
    }
    List<JsonObject> received = await(reading);

    assertEquals(LongStream.range(0, 7).boxed().collect(Collectors.toList()),
        received.stream().map(e -> e.getLong("offset")).collect(Collectors.toList()));
    assertEquals(logged(hub, stream), encode(received));
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
