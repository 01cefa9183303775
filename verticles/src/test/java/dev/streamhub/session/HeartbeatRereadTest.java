package dev.streamhub.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.NewEvent;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live path's safety net, wired (README, "How a reader stays live"): events appended to the log
 * without being published live (as when the event bus does not know of a subscriber yet) still
 * reach a live SSE, WebSocket and long-poll reader, exactly once, from the session's heartbeat
 * re-read alone. The heartbeats are 50 ms; without the re-read these readers would wait for ever
 * (and fail at the class timeout).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeartbeatRereadTest {

  private static final long HEARTBEAT_MS = 50;

  private Vertx vertx;
  private Hub hub;
  /**
   * One WebSocket client for the whole test, held in a field: Vert.x 5 shuts down a client the
   * garbage collector finds unreferenced, closing its sockets, even one whose handshake is under way
   * (vert.x#5839: "Connection closed while handshake in process" on CI).
   */
  private WebSocketClient wsClient;
  private HubClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("sse_heartbeat_ms", HEARTBEAT_MS)
        .put("ws_ping_interval_ms", HEARTBEAT_MS)));
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
    await(vertx.close());
  }

  /** A published stream whose event 0 went out live; the rest is appended to the log only. */
  private String streamWithOnePublishedEvent() {
    String stream = await(client.createExternalStream());
    await(client.publish(stream, new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "live"))));
    return stream;
  }

  /** Appends two deltas and done (offsets 1..3) to the log, publishing nothing. */
  private void appendWithoutPublishing(String stream) {
    await(hub.log().append(stream, List.of(NewEvent.delta("a"), NewEvent.delta("b"), NewEvent.done("stop"))));
  }

  private static final List<Long> ALL = LongStream.rangeClosed(0, 3).boxed().collect(Collectors.toList());

  @Test
  void anSseReaderGetsEventsOnlyInTheLogExactlyOnce() {
    String stream = streamWithOnePublishedEvent();
    HubClient.LiveSse sse = await(client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()));
    assertEquals(200, sse.status());
    // event 0 received: the subscription has read the log and is live
    await(sse.until(frames -> SseFrame.events(frames).size() >= 1));
    appendWithoutPublishing(stream);
    List<SseFrame> events = SseFrame.events(await(sse.ended()));
    assertEquals(ALL, SseFrame.offsets(events));
    assertEquals("done", events.get(3).event());
  }

  @Test
  void aWebSocketReaderGetsEventsOnlyInTheLogExactlyOnce() {
    String stream = streamWithOnePublishedEvent();
    List<Long> offsets = new ArrayList<>();
    Promise<Void> first = Promise.promise();
    Promise<Void> terminal = Promise.promise();
    var ws = await(wsClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(hub.port()).setURI("/v1/ws")));
    ws.textMessageHandler(text -> {
      JsonObject message = new JsonObject(text);
      if (message.containsKey("offset")) {
        synchronized (offsets) {
          offsets.add(message.getLong("offset"));
        }
        first.tryComplete();
        if ("done".equals(message.getString("type"))) {
          terminal.tryComplete();
        }
      } else if ("error".equals(message.getString("type"))) {
        terminal.tryFail(new AssertionError(text));
      }
    });
    ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
    await(first.future());
    appendWithoutPublishing(stream);
    await(terminal.future());
    // a ping round trip after done: a duplicate sent after it would be here by the pong
    Promise<Void> pong = Promise.promise();
    ws.textMessageHandler(text -> {
      JsonObject message = new JsonObject(text);
      if (message.containsKey("offset")) {
        synchronized (offsets) {
          offsets.add(message.getLong("offset"));
        }
      } else if ("pong".equals(message.getString("type"))) {
        pong.tryComplete();
      }
    });
    ws.writeTextMessage(new JsonObject().put("type", "ping").put("id", "after").encode());
    await(pong.future());
    await(ws.close());
    synchronized (offsets) {
      assertEquals(ALL, offsets);
    }
  }

  @Test
  void aHeldLongPollGetsEventsOnlyInTheLogExactlyOnce() {
    String stream = streamWithOnePublishedEvent();
    String poll = "/v1/streams/" + stream + "/poll?timeout=30&from=";
    JsonObject firstPoll = await(client.get(poll + 0)).bodyAsJsonObject();
    assertEquals(1L, firstPoll.getLong("next"));
    // the next poll is held (nothing after offset 0 yet); once its session is counted its first
    // read of the log is done (the memory log answers in the same event-loop turn)
    var held = client.get(poll + 1);
    await(TestHubs.eventually(vertx, 10, 1000, () -> Future.succeededFuture(hub.stats().connections("long_poll") == 1)));
    appendWithoutPublishing(stream);
    var resp = await(held);
    assertEquals(200, resp.statusCode(), resp.bodyAsString());
    JsonArray events = resp.bodyAsJsonObject().getJsonArray("events");
    List<Long> offsets = new ArrayList<>(List.of(0L));
    events.forEach(e -> offsets.add(((JsonObject) e).getLong("offset")));
    assertEquals(ALL, offsets);
    assertEquals(4L, resp.bodyAsJsonObject().getLong("next"));
    assertEquals(true, resp.bodyAsJsonObject().getBoolean("done"));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  private WebSocketClient wsClient() {
    if (wsClient == null) {
      wsClient = vertx.createWebSocketClient();
    }
    return wsClient;
  }
}
