package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.config.AuthConfig;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JWKS cache against a real local HTTP server: one fetch at a time, a cooldown between fetches. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JwksSourceTest {

  private Vertx vertx;
  private HttpServer server;
  private final AtomicInteger fetches = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    JsonObject jwks = new JsonObject().put("keys", new JsonArray().add(Jwts.jwk((RSAPublicKey) Jwts.rsa().getPublic(), "k1")));
    server = vertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      // answer late, so that concurrent refreshes overlap the fetch in flight
      vertx.setTimer(200, id -> req.response().putHeader("Content-Type", "application/json").end(jwks.encode()));
    }).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private JwksSource source(long cooldownMs) {
    AuthConfig config = HubConfig.of(new JsonObject()
        .put("auth_jwks_url", "http://127.0.0.1:" + server.actualPort() + "/jwks.json")
        .put("auth_jwks_cooldown_ms", cooldownMs)).auth();
    return new JwksSource(vertx, config);
  }

  @Test
  void concurrentRefreshesShareOneFetch() {
    JwksSource source = source(0);
    List<Future<List<JsonObject>>> refreshes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      refreshes.add(source.refresh());
    }
    Future.all(refreshes).timeout(10, TimeUnit.SECONDS).await();
    assertEquals(1, fetches.get());
    refreshes.forEach(r -> assertEquals("k1", r.result().get(0).getString("kid")));
  }

  @Test
  void aRefreshWithinTheCooldownFetchesNothing() {
    JwksSource source = source(60_000);
    source.refresh().await();
    source.refresh().await();
    source.refresh().await();
    assertEquals(1, fetches.get(), "within the cooldown");
    JwksSource eager = source(0);
    eager.refresh().await();
    eager.refresh().await();
    assertEquals(3, fetches.get(), "no cooldown: each refresh fetches");
  }
}
