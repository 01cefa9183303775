package dev.streamhub.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TCP bridge's rules, frame by frame: the worker token on every frame, only the worker
 * addresses, publish through the writer with stable error codes, and the model registry following
 * bridge registrations.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public class BridgeTest {

  static final String TOKEN = "test-worker-token-0123456789";

  private Vertx vertx;
  private Hub hub;
  private HubClient client;
  private int bridgePort;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    Bridged bridged = startWithBridge(vertx);
    hub = bridged.hub();
    bridgePort = bridged.bridgePort();
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  /**
   * A free loopback port in [12000, 20000): below Linux's ephemeral range, so that no outgoing
   * connection takes it between this check and the bridge binding it (a port from listen(0) could).
   */
  static int freePort(Vertx vertx) {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 12000 + random.nextInt(8000);
      try {
        var server = await(vertx.createNetServer().connectHandler(s -> s.close()).listen(port, "127.0.0.1"));
        await(server.close());
        return port;
      } catch (Exception taken) {
        // in use: try another
      }
    }
    throw new IllegalStateException("no free port in [12000, 20000) after 200 tries");
  }

  /** A hub with the worker bridge on {@code bridgePort}. */
  public record Bridged(Hub hub, int bridgePort) {}

  /**
   * Starts a hub with the bridge on a free port. The bridge cannot listen on port 0 and report it,
   * so a port is picked, and picked again when someone else (another test JVM on a shared machine)
   * bound it between the check and the bridge binding it.
   */
  public static Bridged startWithBridge(Vertx vertx) {
    Exception last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = freePort(vertx);
      try {
        return new Bridged(await(TestHubs.start(vertx,
            new JsonObject().put("bridge_enabled", true).put("bridge_port", port).put("bridge_token", TOKEN))), port);
      } catch (Exception bindFailed) { // await() rethrows the failure as it is: a java.net.BindException is checked
        if (!portTaken(bindFailed)) {
          throw bindFailed instanceof RuntimeException ? (RuntimeException) bindFailed : new IllegalStateException(bindFailed);
        }
        last = bindFailed;
      }
    }
    throw new IllegalStateException("the bridge found no free port in 20 tries", last);
  }

  private static boolean portTaken(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  static <T> T await(Future<T> future) {
    return future.timeout(20, TimeUnit.SECONDS).await();
  }

  private static JsonObject frame(String type, String address, String token) {
    JsonObject frame = new JsonObject().put("type", type).put("address", address);
    if (token != null) {
      frame.put("headers", new JsonObject().put("token", token));
    }
    return frame;
  }

  private Future<List<String>> listed() {
    return client.get("/v1/models").map(resp -> resp.bodyAsJsonObject().getJsonArray("data").stream()
        .map(m -> ((JsonObject) m).getString("id")).collect(Collectors.toList()));
  }

  private List<String> models() {
    return await(listed());
  }

  @Test
  void framesWithoutTheWorkerTokenAreRefused() {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, bridgePort));
    bridge.write(frame("register", "streamhub.generate.sneaky", null));
    assertEquals(new JsonObject().put("type", "err").put("message", "blocked by bridgeEvent handler"), await(bridge.next()));
    bridge.write(frame("register", "streamhub.generate.sneaky", "wrong-token-wrong-token"));
    assertEquals(new JsonObject().put("type", "err").put("message", "blocked by bridgeEvent handler"), await(bridge.next()));
    bridge.write(frame("ping", null, TOKEN));
    assertEquals(new JsonObject().put("type", "pong"), await(bridge.next()));
    assertFalse(models().contains("sneaky"));
  }

  @Test
  void onlyTheWorkerAddressesArePermitted() {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, bridgePort));
    String stream = await(client.createStream(TestHubs.chat("x", 1L)));
    for (JsonObject denied : List.of(
        frame("register", "streamhub.stream." + stream, TOKEN),
        frame("send", "streamhub.generate.demo", TOKEN).put("body", new JsonObject()),
        frame("publish", "streamhub.cancel." + stream, TOKEN).put("body", new JsonObject()),
        frame("register", "streamhub.publish", TOKEN))) {
      bridge.write(denied);
      assertEquals(new JsonObject().put("type", "err").put("message", "access_denied"), await(bridge.next()), denied.encode());
    }
  }

  @Test
  void publishRefusesExternalAndUnknownStreamsWithStableCodes() {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, bridgePort));
    String external = await(client.postJson("/v1/streams", new JsonObject().put("publisher", "external"))).bodyAsJsonObject().getString("stream");
    JsonArray events = new JsonArray().add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "x")));

    bridge.write(frame("send", "streamhub.publish", TOKEN).put("replyAddress", "r1").put("body", new JsonObject().put("stream", external).put("events", events)));
    JsonObject refused = await(bridge.next());
    assertEquals("err", refused.getString("type"));
    assertEquals("r1", refused.getString("address"));
    assertEquals(403, refused.getInteger("failureCode"));
    assertTrue(refused.getString("message").startsWith("forbidden: "), refused.encode());

    bridge.write(frame("send", "streamhub.publish", TOKEN).put("replyAddress", "r2").put("body", new JsonObject().put("stream", "st_AAAAAAAAAAAAAAAAAAAAAA").put("events", events)));
    JsonObject unknown = await(bridge.next());
    assertEquals(404, unknown.getInteger("failureCode"));
    assertTrue(unknown.getString("message").startsWith("stream_not_found: "), unknown.encode());

    bridge.write(frame("send", "streamhub.publish", TOKEN).put("replyAddress", "r3").put("body", new JsonObject().put("stream", external).put("events", "nope")));
    JsonObject bad = await(bridge.next());
    assertEquals(400, bad.getInteger("failureCode"));
    assertTrue(bad.getString("message").startsWith("bad_request: "), bad.encode());
    assertEquals(0L, await(hub.log().meta(external)).nextOffset());
  }

  @Test
  void aRegisteredWorkerServesItsModelUntilItDisconnects() {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, bridgePort));
    bridge.write(frame("register", "streamhub.generate.frames-model", TOKEN));
    await(TestHubs.eventually(vertx, 10, 500, () -> listed().map(ids -> ids.contains("frames-model"))));

    // a generation request reaches the worker, which accepts it and publishes the whole answer
    Future<String> created = client.createStream(TestHubs.chat("hi", 1L).put("model", "frames-model"));
    JsonObject request = await(bridge.next());
    String stream = request.getJsonObject("body").getString("stream");
    assertEquals("message", request.getString("type"));
    assertEquals("streamhub.generate.frames-model", request.getString("address"));
    assertEquals("frames-model", request.getJsonObject("body").getString("model"));
    bridge.write(frame("send", request.getString("replyAddress"), TOKEN).put("body", new JsonObject().put("accepted", true)));
    assertEquals(stream, await(created));

    JsonArray answer = new JsonArray()
        .add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "Hi")))
        .add(new JsonObject().put("type", "done").put("data", new JsonObject().put("finish_reason", "stop")));
    bridge.write(frame("send", "streamhub.publish", TOKEN).put("replyAddress", "p1").put("body", new JsonObject().put("stream", stream).put("events", answer)));
    JsonObject receipt = await(bridge.next());
    assertEquals(new JsonObject().put("type", "message").put("address", "p1").put("headers", new JsonObject()).put("send", true)
        .put("body", new JsonObject().put("stream", stream).put("first_offset", 0L).put("next_offset", 2L).put("finished", true)), receipt);

    await(bridge.close());
    await(TestHubs.eventually(vertx, 10, 500, () -> listed().map(ids -> !ids.contains("frames-model"))));
  }
}
