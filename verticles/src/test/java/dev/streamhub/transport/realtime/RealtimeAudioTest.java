package dev.streamhub.transport.realtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.TestHubs;
import dev.streamhub.bridge.BridgeTest;
import dev.streamhub.cluster.Addresses;
import dev.streamhub.worker.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay worker (serving model {@code voice} on {@code streamhub.generate.voice}, publishing on
 * {@code streamhub.publish}, the address bridge workers use) fills the generation's stream with
 * {@code delta} and {@code binary} events in several publishes; a Realtime client gets each binary
 * event as a {@code response.output_audio.delta} carrying exactly the chunk's bytes in base64, in
 * log order among the text deltas, then one done event per content part, then {@code response.done}
 * whose item holds the text part and the audio part.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealtimeAudioTest {

  private static final byte[] CHUNK_1 = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
  private static final byte[] CHUNK_2 = {(byte) 0x80, 0x7f};
  private static final byte[] CHUNK_3 = {10, 20, 30, 40, 50, 60, 70};

  private Vertx vertx;
  private Hub hub;
  /** What the worker publishes for the next generation: one list of events per publish, in order. */
  private volatile List<JsonArray> script;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    hub = BridgeTest.startWithBridge(vertx).hub();
    await(new ModelRegistry(vertx).add(ModelRegistry.WORKER, new JsonObject().put("id", "voice").put("object", "model")));
    await(vertx.eventBus().<JsonObject>consumer(Addresses.generate("voice"), request -> {
      String stream = request.body().getString("stream");
      request.reply(new JsonObject().put("stream", stream).put("accepted", true));
      Future<?> chain = Future.succeededFuture();
      for (JsonArray events : script) {
        chain = chain.compose(v -> vertx.eventBus().request(Addresses.PUBLISH, new JsonObject().put("stream", stream).put("events", events)));
      }
    }).completion());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  private static JsonObject delta(String text) {
    return new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", text));
  }

  private static JsonObject binary(byte[] bytes) {
    return new JsonObject().put("type", "binary").put("data", new JsonObject().put("base64", Base64.getEncoder().encodeToString(bytes)));
  }

  private static JsonArray end() {
    return new JsonArray()
        .add(new JsonObject().put("type", "usage").put("data", new JsonObject().put("prompt_tokens", 1).put("completion_tokens", 5).put("total_tokens", 6)))
        .add(new JsonObject().put("type", "done").put("data", new JsonObject().put("finish_reason", "stop")));
  }

  /** Opens {@code /v1/realtime?model=voice}, asks for one response, and collects every server event up to {@code response.done}. */
  private List<JsonObject> oneResponse() {
    WebSocketClient client = vertx.createWebSocketClient();
    List<JsonObject> received = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> done = Promise.promise();
    // the handler is set on the socket's event loop as the connect completes: session.created cannot slip by
    var ws = await(TestHubs.onContext(vertx, () -> client
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI("/v1/realtime?model=voice"))
        .map(socket -> socket.textMessageHandler(text -> {
          JsonObject event = new JsonObject(text);
          received.add(event);
          if (event.getString("type").equals("response.done") || event.getString("type").equals("error")) {
            done.tryComplete();
          }
        }))));
    ws.writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
        .put("type", "message").put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", "say it")))).encode());
    ws.writeTextMessage(new JsonObject().put("type", "response.create").encode());
    await(done.future());
    await(ws.close());
    await(client.close());
    return received;
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).collect(Collectors.toList());
  }

  @Test
  void binaryEventsAreAudioDeltasInterleavedWithTextInLogOrder() {
    script = List.of(
        new JsonArray().add(delta("Hel")).add(binary(CHUNK_1)).add(delta("lo")),
        new JsonArray().add(binary(CHUNK_2)),
        new JsonArray().add(binary(CHUNK_3)).add(delta("!")),
        end());

    List<JsonObject> events = oneResponse();

    assertEquals(List.of("session.created", "conversation.item.created", "response.created",
        "response.output_text.delta", "response.output_audio.delta", "response.output_text.delta",
        "response.output_audio.delta", "response.output_audio.delta", "response.output_text.delta",
        "response.output_text.done", "response.output_audio.done", "response.done"), types(events));
    String responseId = events.get(2).getJsonObject("response").getString("id");
    String itemId = "item_" + responseId.substring("resp_".length());
    List<JsonObject> audio = events.stream().filter(e -> e.getString("type").equals("response.output_audio.delta")).collect(Collectors.toList());
    assertEquals(List.of("AAEC//4=", "gH8=", "ChQeKDI8Rg=="), audio.stream().map(e -> e.getString("delta")).collect(Collectors.toList()));
    assertArrayEquals(CHUNK_1, Base64.getDecoder().decode(audio.get(0).getString("delta")));
    assertArrayEquals(CHUNK_2, Base64.getDecoder().decode(audio.get(1).getString("delta")));
    assertArrayEquals(CHUNK_3, Base64.getDecoder().decode(audio.get(2).getString("delta")));
    for (JsonObject event : events.subList(3, 11)) {
      boolean isAudio = event.getString("type").startsWith("response.output_audio.");
      assertEquals(responseId, event.getString("response_id"), event.encode());
      assertEquals(itemId, event.getString("item_id"), event.encode());
      assertEquals(0, event.getInteger("output_index"), event.encode());
      assertEquals(isAudio ? 1 : 0, event.getInteger("content_index"), event.encode());
    }
    assertEquals("Hello!", events.get(9).getString("text"));
    JsonObject response = events.get(11).getJsonObject("response");
    assertEquals("completed", response.getString("status"));
    assertEquals(new JsonArray().add("text").add("audio"), response.getJsonArray("output_modalities"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("type", "output_text").put("text", "Hello!"))
        .add(new JsonObject().put("type", "output_audio")), response.getJsonArray("output").getJsonObject(0).getJsonArray("content"));
  }

  @Test
  void aStreamThatStartsWithAudioHasItsAudioPartFirst() {
    script = List.of(new JsonArray().add(binary(CHUNK_2)).add(delta("hi")), end());

    List<JsonObject> events = oneResponse();

    assertEquals(List.of("session.created", "conversation.item.created", "response.created",
        "response.output_audio.delta", "response.output_text.delta",
        "response.output_audio.done", "response.output_text.done", "response.done"), types(events));
    assertEquals(List.of(0, 1, 0, 1), events.subList(3, 7).stream().map(e -> e.getInteger("content_index")).collect(Collectors.toList()));
    assertEquals("gH8=", events.get(3).getString("delta"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("type", "output_audio"))
        .add(new JsonObject().put("type", "output_text").put("text", "hi")),
        events.get(7).getJsonObject("response").getJsonArray("output").getJsonObject(0).getJsonArray("content"));
  }

  @Test
  void anAudioOnlyStreamHasOneAudioPartAndNoTextEvents() {
    script = List.of(new JsonArray().add(binary(CHUNK_1)), new JsonArray().add(binary(CHUNK_3)), end());

    List<JsonObject> events = oneResponse();

    assertEquals(List.of("session.created", "conversation.item.created", "response.created",
        "response.output_audio.delta", "response.output_audio.delta", "response.output_audio.done", "response.done"), types(events));
    assertEquals(List.of("AAEC//4=", "ChQeKDI8Rg=="), List.of(events.get(3).getString("delta"), events.get(4).getString("delta")));
    JsonObject response = events.get(6).getJsonObject("response");
    assertEquals(new JsonArray().add("audio"), response.getJsonArray("output_modalities"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "output_audio")),
        response.getJsonArray("output").getJsonObject(0).getJsonArray("content"));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(20, TimeUnit.SECONDS).await();
  }
}
