package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Loading the configuration: file keys, {@code STREAMHUB_*} overrides, and messages naming the key. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HubConfigTest {

  private static String failure(JsonObject file, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> HubConfig.load(file, env)).getMessage();
  }

  @Nested
  class BadValues {

    @Test
    void aNonNumericPortFromTheEnvironmentNamesTheVariableAndTheKey() {
      String message = failure(new JsonObject(), Map.of("STREAMHUB_HTTP_PORT", "abc"));
      assertTrue(message.contains("STREAMHUB_HTTP_PORT"), message);
      assertTrue(message.contains("http_port"), message);
      assertTrue(message.contains("'abc'"), message);
    }

    @Test
    void outOfRangeOrFractionalFileValuesNameTheKey() {
      assertTrue(failure(new JsonObject().put("http_port", 70000), Map.of()).contains("config key 'http_port'"));
      assertTrue(failure(new JsonObject().put("http_port", 80.5), Map.of()).contains("http_port"));
      assertTrue(failure(new JsonObject().put("demo_tokens_per_second", 0), Map.of()).contains("demo_tokens_per_second"));
      assertTrue(failure(new JsonObject().put("http_host", " "), Map.of()).contains("http_host"));
      assertTrue(failure(new JsonObject(), Map.of("STREAMHUB_DEMO_ENABLED", "maybe")).contains("STREAMHUB_DEMO_ENABLED"));
      assertTrue(failure(new JsonObject().put("log_store", "floppy"), Map.of()).contains("log_store"));
    }

    @Test
    void aRedisSlotTtlUnderThreeRedisTimeoutsNamesBothKeys() {
      String message = failure(new JsonObject().put("limits_store", "redis").put("limits_slot_ttl_ms", 5999), Map.of());
      assertTrue(message.contains("limits_slot_ttl_ms") && message.contains("redis_timeout_ms") && message.contains("6000"), message);
      message = failure(new JsonObject().put("store", "redis://127.0.0.1:1"), Map.of("STREAMHUB_REDIS_TIMEOUT_MS", "5001"));
      assertTrue(message.contains("limits_slot_ttl_ms") && message.contains("redis_timeout_ms") && message.contains("15003"), message);
      assertEquals(6000L, HubConfig.load(new JsonObject().put("limits_store", "redis").put("limits_slot_ttl_ms", 6000), Map.of())
          .limits().slotTtlMs());
      assertEquals(300L, HubConfig.load(new JsonObject().put("limits_store", "memory").put("limits_slot_ttl_ms", 300), Map.of())
          .limits().slotTtlMs(), "only the Redis store has leases");
    }

    @Test
    void anUnknownFileKeyFailsNamingIt() {
      String message = failure(new JsonObject().put("http_prot", 8080).put("http_port", 8081), Map.of());
      assertTrue(message.contains("http_prot"), message);
      assertFalse(message.contains("http_port"), message);
    }
  }

  @Nested
  class Sources {

    @Test
    void defaultsApplyWhenNothingIsGiven() {
      HubConfig config = HubConfig.load(new JsonObject(), Map.of());
      assertEquals(HttpConfig.DEFAULT_PORT, config.http().port());
      assertEquals(HttpConfig.DEFAULT_HOST, config.http().host());
      assertEquals(SseConfig.DEFAULT_HEARTBEAT_MS, config.sse().heartbeatMs());
      assertEquals(StreamLogConfig.DEFAULT_MAX_EVENTS_PER_STREAM, config.log().maxEventsPerStream());
      assertTrue(config.demo().enabled());
    }

    @Test
    void environmentOverridesTheFile() {
      JsonObject file = new JsonObject().put("http_port", 9000).put("http_host", "127.0.0.1").put("demo_enabled", true);
      HubConfig config = HubConfig.load(file, Map.of(
          "STREAMHUB_HTTP_PORT", "9100", "STREAMHUB_DEMO_ENABLED", "false", "STREAMHUB_SSE_RETRY_MS", "250"));
      assertEquals(9100, config.http().port());
      assertEquals("127.0.0.1", config.http().host());
      assertFalse(config.demo().enabled());
      assertEquals(250, config.sse().retryMs());
    }

    @Test
    void otherEnvironmentVariablesAreIgnored() {
      HubConfig config = HubConfig.load(new JsonObject(), Map.of("STREAMHUB_FUTURE_KEY", "x", "HTTP_PORT", "1", "PATH", "/bin"));
      assertEquals(HttpConfig.DEFAULT_PORT, config.http().port());
    }

    @Test
    void aLoadedConfigurationStartsAHubThatServes(Vertx vertx, VertxTestContext ctx) {
      HubConfig config = HubConfig.load(new JsonObject().put("http_port", 1).put("http_host", "localhost"),
          Map.of("STREAMHUB_HTTP_PORT", "0", "STREAMHUB_HTTP_HOST", "127.0.0.1", "STREAMHUB_HTTP_INSTANCES", "2"));
      Hub.start(vertx, config)
          .compose(hub -> new HubClient(vertx, hub.port()).get("/health/live"))
          .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
            assertEquals(200, resp.statusCode());
            assertEquals(new JsonObject().put("status", "UP"), resp.bodyAsJsonObject());
            ctx.completeNow();
          })));
    }
  }
}
