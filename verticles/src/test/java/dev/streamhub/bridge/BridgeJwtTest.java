package dev.streamhub.bridge;

import static dev.streamhub.bridge.BridgeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.TestHubs;
import dev.streamhub.auth.Jwts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge with auth on: a worker presents a JWT with the {@code publish} scope in
 * {@code headers.token}; a token without it, or an expired one, is refused; the old shared
 * {@code bridge_token} keeps working while {@code auth_bridge_token_allowed}, and stops when it is false.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BridgeJwtTest {

  private static final JsonObject BLOCKED = new JsonObject().put("type", "err").put("message", "blocked by bridgeEvent handler");
  private static final JsonObject PONG = new JsonObject().put("type", "pong");

  private Hub hub;

  private int start(Vertx vertx, boolean secretAllowed) {
    int port = BridgeTest.freePort(vertx);
    hub = await(TestHubs.start(vertx, new JsonObject().put("bridge_enabled", true).put("bridge_port", port)
        .put("bridge_token", BridgeTest.TOKEN).put("auth_hs256_secret", Jwts.SECRET).put("auth_bridge_token_allowed", secretAllowed)));
    return port;
  }

  @AfterEach
  void stop() {
    if (hub != null) {
      await(hub.stop());
    }
  }

  private static JsonObject ping(String token) {
    return new JsonObject().put("type", "ping").put("headers", new JsonObject().put("token", token));
  }

  @Test
  void aPublishScopeTokenIsAWorkerCredential(Vertx vertx) {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, start(vertx, true)));
    bridge.write(ping(Jwts.hs256(Jwts.claims("gpu-worker-1", "publish", 300, null))));
    assertEquals(PONG, await(bridge.next()));
    bridge.write(ping(Jwts.hs256(Jwts.claims("reader", "read create", 300, null))));
    assertEquals(BLOCKED, await(bridge.next()), "a token without the publish scope");
    bridge.write(ping(Jwts.hs256(Jwts.claims("gpu-worker-1", "publish", -60, null))));
    assertEquals(BLOCKED, await(bridge.next()), "an expired token");
    bridge.write(ping(BridgeTest.TOKEN));
    assertEquals(PONG, await(bridge.next()), "the shared secret still works");
  }

  @Test
  void theSharedSecretCanBeRetired(Vertx vertx) {
    BridgeFrames bridge = await(BridgeFrames.connect(vertx, start(vertx, false)));
    bridge.write(ping(BridgeTest.TOKEN));
    assertEquals(BLOCKED, await(bridge.next()));
    bridge.write(ping(Jwts.hs256(Jwts.claims("gpu-worker-1", "publish", 300, null))));
    assertEquals(PONG, await(bridge.next()));
  }
}
