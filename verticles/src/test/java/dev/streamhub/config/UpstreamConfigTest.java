package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.config.UpstreamConfig.Upstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream keys: the two variables, the JSON list, validation that names the key, and keys never shown. */
class UpstreamConfigTest {

  @Test
  void noUpstreamByDefault() {
    assertEquals(List.of(), HubConfig.of(new JsonObject()).upstream().upstreams());
  }

  @Test
  void theTwoVariablesMakeOneDefaultUpstreamServingEveryListedModel() {
    HubConfig config = HubConfig.load(new JsonObject(),
        Map.of("STREAMHUB_UPSTREAM_BASE_URL", "http://llm:8000/v1/", "STREAMHUB_UPSTREAM_API_KEY", "sk-secret"));
    assertEquals(List.of(new Upstream("default", "http://llm:8000/v1", "sk-secret", UpstreamConfig.DEFAULT_TIMEOUT_MS, List.of())),
        config.upstream().upstreams());
  }

  @Test
  void aListRoutesModelsToSeveralUpstreams() {
    JsonArray list = new JsonArray()
        .add(new JsonObject().put("name", "vllm").put("base_url", "http://a:8000/v1").put("models", new JsonArray().add("llama")))
        .add(new JsonObject().put("name", "hosted").put("base_url", "https://api.example.com/v1").put("api_key", "k").put("timeout_ms", 5000));
    HubConfig config = HubConfig.of(new JsonObject().put("upstreams", list).put("upstream_timeout_ms", 700));
    assertEquals(List.of(
        new Upstream("vllm", "http://a:8000/v1", null, 700, List.of("llama")),
        new Upstream("hosted", "https://api.example.com/v1", "k", 5000, List.of())), config.upstream().upstreams());
    // the environment takes the same list as JSON text
    HubConfig fromEnv = HubConfig.load(new JsonObject(), Map.of("STREAMHUB_UPSTREAMS", list.encode()));
    assertEquals("vllm", fromEnv.upstream().upstreams().get(0).name());
  }

  @Test
  void badValuesNameTheirKey() {
    assertMessage("upstream_base_url must be an http(s) URL", new JsonObject().put("upstream_base_url", "llm:8000"));
    assertMessage("upstream_api_key", new JsonObject().put("upstream_api_key", "k"));
    assertMessage("upstreams[0].models", new JsonObject().put("upstreams", new JsonArray().add(
        new JsonObject().put("name", "a").put("base_url", "http://a/v1").put("models", new JsonArray()))));
    assertMessage("upstreams[0] has an unknown field 'url'", new JsonObject().put("upstreams", new JsonArray().add(
        new JsonObject().put("name", "a").put("url", "http://a/v1"))));
    assertMessage("two upstreams are named 'default'", new JsonObject().put("upstream_base_url", "http://a/v1").put("upstreams",
        new JsonArray().add(new JsonObject().put("name", "default").put("base_url", "http://b/v1"))));
    assertMessage("upstreams", new JsonObject().put("upstreams", "not a list"));
  }

  @Test
  void theApiKeyNeverAppearsInTheConfigsText() {
    HubConfig config = HubConfig.load(new JsonObject(),
        Map.of("STREAMHUB_UPSTREAM_BASE_URL", "http://llm:8000/v1", "STREAMHUB_UPSTREAM_API_KEY", "sk-very-secret"));
    assertFalse(config.toString().contains("sk-very-secret"), config.toString());
    assertTrue(config.toString().contains("apiKey=***"));
  }

  private static void assertMessage(String part, JsonObject json) {
    ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.of(json));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
