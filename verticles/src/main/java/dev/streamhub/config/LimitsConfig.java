package dev.streamhub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Limits, protection rules and input bounds. Every limit is off at 0. See the README, "Security and limits".
 *
 * <p>A key ({@code limits_*_key}) names what a limit counts per: {@code consumer} (the JWT {@code sub};
 * the client IP when auth is off), {@code ip}, {@code header:<name>}, {@code query:<name>} or
 * {@code cookie:<name>}; a request without the header, parameter or cookie is counted under its IP.
 *
 * @param store {@code limits_store}: {@code memory} (this node), {@code hazelcast} (cluster-wide, atomic) or
 *     {@code redis} (every node on {@code redis_url}, atomic Lua scripts); default: redis with {@code log_store}
 *     redis, else hazelcast on a clustered node, else memory
 * @param requestRate {@code limits_request_rate}: API requests per {@code limits_request_window_ms} per key
 * @param requestWindowMs {@code limits_request_window_ms}: the request-rate window
 * @param requestKey {@code limits_request_key}: what the request rate counts per
 * @param tokenRate {@code limits_token_rate}: LLM tokens (delta events workers produce) per {@code limits_token_window_ms} per key
 * @param tokenWindowMs {@code limits_token_window_ms}: the token-rate window (60000: tokens per minute)
 * @param tokenKey {@code limits_token_key}: what the token rate counts per
 * @param concurrentStreams {@code limits_concurrent_streams}: unfinished generations per consumer
 * @param connectionsPerConsumer {@code limits_connections_per_consumer}: open sessions (SSE, long-poll, WebSocket, completion) per consumer
 * @param connectionsPerIp {@code limits_connections_per_ip}: open sessions per client IP
 * @param ipAllow {@code ip_allow}: CIDRs; when set, only these client IPs are served
 * @param ipDeny {@code ip_deny}: CIDRs refused (403 {@code forbidden}), checked before {@code ip_allow}
 * @param rules {@code access_rules}: ordered {@code {"action":"allow"|"deny", "path": glob, "method", "header", "match": regex,
 *     "absent": bool}}; the first rule that matches decides; none matching: allowed
 * @param trustedProxies {@code trusted_proxies}: CIDRs whose {@code X-Forwarded-For} / {@code Forwarded} name the client IP
 * @param maxHeaderBytes {@code http_max_header_bytes}: request line plus headers; larger: 431
 * @param headerTimeoutMs {@code http_header_timeout_ms}: a connection must finish sending a request's headers this soon
 *     after it opened or its previous response ended (slowloris); else it is closed
 * @param idleTimeoutMs {@code http_idle_timeout_ms}: a connection with no byte either way for this long is closed (0: never)
 * @param slotTtlMs {@code limits_slot_ttl_ms}: with the Redis store, how long a node's slots outlive its last renewal
 *     (renewed every third of it), so that a node killed without releasing them stops holding them; at least 3 times
 *     {@code redis_timeout_ms} with the Redis store (else a {@link ConfigException} naming both keys), so that one slow
 *     renewal cannot let a live node's lease lapse
 */
public record LimitsConfig(String store, long requestRate, long requestWindowMs, String requestKey, long tokenRate, long tokenWindowMs,
    String tokenKey, long concurrentStreams, long connectionsPerConsumer, long connectionsPerIp, List<String> ipAllow,
    List<String> ipDeny, List<JsonObject> rules, List<String> trustedProxies, int maxHeaderBytes, long headerTimeoutMs,
    long idleTimeoutMs, long slotTtlMs) {

  public static final long DEFAULT_WINDOW_MS = 60_000;
  public static final String DEFAULT_KEY = "consumer";
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 0;
  public static final long DEFAULT_SLOT_TTL_MS = 15_000;

  /** Whether any rate, concurrency or connection limit is on. */
  public boolean anyLimit() {
    return requestRate > 0 || tokenRate > 0 || concurrentStreams > 0 || connectionsPerConsumer > 0 || connectionsPerIp > 0;
  }

  /** @param logStore {@code log_store}: with {@code redis}, the limits live on the same Redis by default */
  static LimitsConfig from(Settings s, boolean clustered, String logStore) {
    LimitsConfig config = new LimitsConfig(
        s.oneOf(ConfigKey.LIMITS_STORE, "redis".equals(logStore) ? "redis" : clustered ? "hazelcast" : "memory"),
        s.longValue(ConfigKey.LIMITS_REQUEST_RATE),
        s.longValue(ConfigKey.LIMITS_REQUEST_WINDOW_MS),
        key(s, ConfigKey.LIMITS_REQUEST_KEY),
        s.longValue(ConfigKey.LIMITS_TOKEN_RATE),
        s.longValue(ConfigKey.LIMITS_TOKEN_WINDOW_MS),
        key(s, ConfigKey.LIMITS_TOKEN_KEY),
        s.longValue(ConfigKey.LIMITS_CONCURRENT_STREAMS),
        s.longValue(ConfigKey.LIMITS_CONNECTIONS_PER_CONSUMER),
        s.longValue(ConfigKey.LIMITS_CONNECTIONS_PER_IP),
        AuthConfig.strings(s, ConfigKey.IP_ALLOW.key()),
        AuthConfig.strings(s, ConfigKey.IP_DENY.key()),
        rules(s),
        AuthConfig.strings(s, ConfigKey.TRUSTED_PROXIES.key()),
        s.integer(ConfigKey.HTTP_MAX_HEADER_BYTES),
        s.longValue(ConfigKey.HTTP_HEADER_TIMEOUT_MS),
        s.longValue(ConfigKey.HTTP_IDLE_TIMEOUT_MS),
        s.longValue(ConfigKey.LIMITS_SLOT_TTL_MS));
    long redisTimeoutMs = s.longValue(ConfigKey.REDIS_TIMEOUT_MS);
    if (config.store.equals("redis") && config.slotTtlMs < 3 * redisTimeoutMs) {
      // one slow renewal (up to redis_timeout_ms) must not let the lease lapse: other nodes would then drop this node's slots for good
      throw new ConfigException("config key 'limits_slot_ttl_ms' (" + config.slotTtlMs + ") must be at least 3 times 'redis_timeout_ms' ("
          + redisTimeoutMs + ") with limits_store redis, i.e. at least " + 3 * redisTimeoutMs
          + ": raise limits_slot_ttl_ms or lower redis_timeout_ms");
    }
    // parse the CIDRs and rules now, so that a bad one stops the start naming its key
    Cidr.parseAll(config.ipAllow, "ip_allow");
    Cidr.parseAll(config.ipDeny, "ip_deny");
    for (int i = 0; i < config.rules.size(); i++) {
      AccessRule.parse(config.rules.get(i), i);
    }
    Cidr.parseAll(config.trustedProxies, "trusted_proxies");
    return config;
  }

  private static String key(Settings s, ConfigKey row) {
    String name = row.key();
    String key = s.string(row);
    if (key.equals("consumer") || key.equals("ip")
        || ((key.startsWith("header:") || key.startsWith("query:") || key.startsWith("cookie:")) && key.indexOf(':') < key.length() - 1)) {
      return key;
    }
    throw s.bad(name, key, "consumer, ip, header:<name>, query:<name> or cookie:<name>");
  }

  private static List<JsonObject> rules(Settings s) {
    Object value = s.json(ConfigKey.ACCESS_RULES);
    List<JsonObject> rules = new ArrayList<>();
    if (value == null) {
      return rules;
    }
    if (!(value instanceof JsonArray)) {
      throw s.bad("access_rules", value, "an array of rules");
    }
    for (Object rule : (JsonArray) value) {
      if (!(rule instanceof JsonObject) || !Set.of("allow", "deny").contains(((JsonObject) rule).getString("action", ""))) {
        throw s.bad("access_rules", rule, "rules {\"action\":\"allow\"|\"deny\", \"path\", \"method\", \"header\", \"match\", \"absent\"}");
      }
      rules.add((JsonObject) rule);
    }
    return List.copyOf(rules);
  }
}
