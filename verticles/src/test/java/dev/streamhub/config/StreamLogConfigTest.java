package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Choosing the store: {@code log_store}, the {@code store} shorthand ({@code STREAMHUB_STORE}) and the Redis keys. */
class StreamLogConfigTest {

  private static StreamLogConfig load(JsonObject file, Map<String, String> env) {
    return HubConfig.load(file, env).log();
  }

  private static String failure(JsonObject file, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> HubConfig.load(file, env)).getMessage();
  }

  @Test
  void aRedisUrlInStoreSelectsTheRedisStoreAtThatUrl() {
    StreamLogConfig log = load(new JsonObject(), Map.of("STREAMHUB_STORE", "redis://10.0.0.5:6380/2"));
    assertEquals("redis", log.store());
    assertEquals("redis://10.0.0.5:6380/2", log.redisUrl());
    assertEquals(StreamLogConfig.DEFAULT_REDIS_TIMEOUT_MS, log.redisTimeoutMs());
  }

  @Test
  void logStoreRedisUsesRedisUrlAndTimeout() {
    StreamLogConfig log = load(new JsonObject().put("log_store", "redis").put("redis_url", "rediss://h:1").put("redis_timeout_ms", 500), Map.of());
    assertEquals("redis", log.store());
    assertEquals("rediss://h:1", log.redisUrl());
    assertEquals(500, log.redisTimeoutMs());
    assertEquals(StreamLogConfig.DEFAULT_REDIS_URL, load(new JsonObject().put("store", "redis"), Map.of()).redisUrl());
    assertEquals("memory", load(new JsonObject(), Map.of()).store());
  }

  @Test
  void badOrContradictoryStoreSettingsNameTheKey() {
    String bad = failure(new JsonObject(), Map.of("STREAMHUB_STORE", "http://x"));
    assertTrue(bad.contains("STREAMHUB_STORE") && bad.contains("(store)"), bad);
    String contradiction = failure(new JsonObject().put("log_store", "memory"), Map.of("STREAMHUB_STORE", "redis://h:1"));
    assertTrue(contradiction.contains("log_store") && contradiction.contains("STREAMHUB_STORE"), contradiction);
    String url = failure(new JsonObject().put("log_store", "redis").put("redis_url", "10.0.0.5:6379"), Map.of());
    assertTrue(url.contains("redis_url"), url);
    String timeout = failure(new JsonObject().put("redis_timeout_ms", 0), Map.of());
    assertTrue(timeout.contains("redis_timeout_ms"), timeout);
  }
}
