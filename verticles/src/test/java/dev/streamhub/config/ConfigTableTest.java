package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's configuration table is {@link ConfigKey}'s, and the table is what parsing enforces. */
class ConfigTableTest {

  @Test
  void theReadmeConfigurationTableIsGeneratedFromConfigKey() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("\n## Configuration\n");
    int end = readme.indexOf("\n## ", start + 5);
    assertTrue(start >= 0, "the README has no Configuration section");
    String section = readme.substring(start, end);
    assertTrue(section.contains(ConfigKey.readmeTable()),
        "README.md's configuration table differs from ConfigKey; replace it with:\n" + ConfigKey.readmeTable());
  }

  @Test
  void everyNumericKeyIsHeldToTheTablesRangeByFileAndEnvironmentAlike() {
    for (ConfigKey key : ConfigKey.values()) {
      if (key.kind() != ConfigKey.Kind.INT && key.kind() != ConfigKey.Kind.LONG) {
        continue;
      }
      ConfigException tooBig = assertThrows(ConfigException.class,
          () -> HubConfig.of(new JsonObject().put(key.key(), key.max() + 1)), key.key());
      assertTrue(tooBig.getMessage().contains("(" + key.key() + ")"), tooBig.getMessage());
      if (key.min() > Long.MIN_VALUE) {
        ConfigException tooSmall = assertThrows(ConfigException.class,
            () -> HubConfig.load(new JsonObject(), Map.of(key.env(), Long.toString(key.min() - 1))), key.env());
        assertTrue(tooSmall.getMessage().contains("environment variable " + key.env()), tooSmall.getMessage());
      }
    }
  }

  @Test
  void theDefaultsAreTheTables() {
    HubConfig config = HubConfig.of(new JsonObject());
    assertEquals(ConfigKey.SSE_HEARTBEAT_MS.defaultValue(), config.sse().heartbeatMs());
    assertEquals(ConfigKey.HTTP_PORT.defaultValue(), config.http().port());
    assertEquals(ConfigKey.WS_COMPRESSION.defaultValue(), config.ws().compression());
    assertEquals(ConfigKey.DRAIN_TIMEOUT_MS.defaultValue(), config.drain().timeoutMs());
  }

  @Test
  void aKeyOutsideTheTableIsRefusedByName() {
    ConfigException unknown = assertThrows(ConfigException.class, () -> HubConfig.of(new JsonObject().put("http_prot", 9090)));
    assertTrue(unknown.getMessage().contains("http_prot"), unknown.getMessage());
  }
}
