package dev.streamhub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The auth_*, limits_*, ip and rule keys: defaults, and bad values refused naming the key. */
class SecurityConfigTest {

  private static void refused(JsonObject config, String... words) {
    ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.of(config));
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), e.getMessage());
    }
  }

  @Test
  void defaultsAreAuthOffAndNoLimits() {
    HubConfig config = HubConfig.of(new JsonObject());
    assertFalse(config.auth().enabled());
    assertFalse(config.limits().anyLimit());
    assertEquals("memory", config.limits().store());
    assertEquals(16 * 1024, config.limits().maxHeaderBytes());
    assertEquals(10_000, config.limits().headerTimeoutMs());
  }

  @Test
  void algorithmsArePinnedAndNeverNone() {
    String pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";
    HubConfig config = HubConfig.of(new JsonObject().put("auth_public_keys",
        new JsonArray().add(new JsonObject().put("alg", "ES256").put("pem", pem))));
    assertEquals(Set.of("ES256"), config.auth().algorithms(), "derived from the keys");
    refused(new JsonObject().put("auth_hs256_secret", "x".repeat(40)).put("auth_algorithms", new JsonArray().add("none")),
        "auth_algorithms", "never 'none'");
    refused(new JsonObject().put("auth_public_keys", new JsonArray().add(new JsonObject().put("alg", "none").put("pem", pem))),
        "auth_public_keys");
  }

  @Test
  void limitKeysAndRulesAreChecked() {
    HubConfig ok = HubConfig.load(new JsonObject().put("limits_token_key", "query:tenant"),
        Map.of("STREAMHUB_LIMITS_TOKEN_RATE", "1000", "STREAMHUB_IP_DENY", "[\"10.0.0.0/8\"]"));
    assertEquals("query:tenant", ok.limits().tokenKey());
    assertEquals(1000, ok.limits().tokenRate());
    assertEquals(List.of("10.0.0.0/8"), ok.limits().ipDeny());
    refused(new JsonObject().put("limits_request_key", "header:"), "limits_request_key");
    refused(new JsonObject().put("limits_token_key", "jwt"), "limits_token_key", "consumer, ip, header:<name>");
    refused(new JsonObject().put("access_rules", new JsonArray().add(new JsonObject().put("action", "maybe"))), "access_rules");
    refused(new JsonObject().put("limits_store", "postgres"), "limits_store"); // redis is a store now (RedisLimiter)
    refused(new JsonObject().put("ip_allow", "10.0.0.0/8"), "ip_allow");
    refused(new JsonObject().put("ip_deny", new JsonArray().add("10.0.0.0/33")), "ip_deny", "10.0.0.0/33");
    refused(new JsonObject().put("trusted_proxies", new JsonArray().add("proxy.example.com")), "trusted_proxies");
    refused(new JsonObject().put("access_rules", new JsonArray().add(new JsonObject().put("action", "deny").put("match", "("))),
        "access_rules[0]");
  }

  @Test
  void theBridgeTakesJwtsInsteadOfTheSharedSecretWhenAuthIsOn() {
    refused(new JsonObject().put("bridge_enabled", true), "bridge_token", "publish");
    HubConfig config = HubConfig.of(new JsonObject().put("bridge_enabled", true).put("auth_hs256_secret", "s".repeat(32)));
    assertTrue(config.bridge().enabled());
    assertEquals(null, config.bridge().token());
  }
}
