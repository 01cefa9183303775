package dev.streamhub.bench.variant;

import dev.streamhub.bench.BenchOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration of the child hub that a scenario runs against in turn, same load, same run:
 * {@code --store memory,redis} (the stream log in the hub's memory, or in a {@code redis-server}
 * the benchmark starts) times {@code --auth off,on} (no auth, or HS256 bearer JWTs on every
 * request and reader with every limit set high enough to be evaluated but never refuse). Without
 * either option there is one variant with no label and no hub settings.
 *
 * @param store {@code memory}, {@code redis}, or null when {@code --store} was not given
 * @param auth {@code off}, {@code on}, or null when {@code --auth} was not given
 */
public record HubVariant(String store, String auth) {

  public static final List<String> STORES = List.of("memory", "redis");
  public static final List<String> AUTHS = List.of("off", "on");
  /** The scopes of the benchmark's token: create and read streams, publish in relay mode. */
  public static final String SCOPES = "read create publish";

  /**
   * Limits that are checked on every request but never refuse at benchmark sizes (README,
   * "Security and limits"): requests and tokens per minute per consumer, unfinished generations
   * per consumer, open sessions per consumer and per IP.
   */
  static final Map<String, String> GENEROUS_LIMITS = Map.of(
      "LIMITS_REQUEST_RATE", "1000000000",
      "LIMITS_TOKEN_RATE", "1000000000000",
      "LIMITS_CONCURRENT_STREAMS", "1000000",
      "LIMITS_CONNECTIONS_PER_CONSUMER", "10000000",
      "LIMITS_CONNECTIONS_PER_IP", "10000000");

  /** The variants {@code --store} and {@code --auth} ask for, in the order given (store outer). */
  public static List<HubVariant> parse(BenchOptions options) {
    List<String> stores = list(options, "store", STORES);
    List<String> auths = list(options, "auth", AUTHS);
    List<HubVariant> variants = new ArrayList<>();
    for (String s : stores) {
      for (String a : auths) {
        variants.add(new HubVariant(s, a));
      }
    }
    return variants;
  }

  private static List<String> list(BenchOptions options, String name, List<String> allowed) {
    String value = options.string(name, null);
    if (value == null) {
      return java.util.Collections.singletonList(null);
    }
    List<String> values = new ArrayList<>();
    for (String v : value.split(",")) {
      String t = v.trim();
      if (!allowed.contains(t) || values.contains(t)) {
        throw new IllegalArgumentException("--" + name + " takes a comma list of " + allowed + " (each once), got '" + value + "'");
      }
      values.add(t);
    }
    return values;
  }

  /** True for the one unlabelled variant (neither option given). */
  public boolean plain() {
    return store == null && auth == null;
  }

  /** {@code store=redis}, {@code auth=on}, {@code store=redis auth=on}; null for {@link #plain()}. */
  public String label() {
    List<String> parts = new ArrayList<>();
    if (store != null) {
      parts.add("store=" + store);
    }
    if (auth != null) {
      parts.add("auth=" + auth);
    }
    return parts.isEmpty() ? null : String.join(" ", parts);
  }

  /** Starts what the variant needs besides the hub (Redis), and makes its settings and token. */
  public Started start(Path logDir) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    RedisServer redis = null;
    if ("redis".equals(store)) {
      redis = RedisServer.start(logDir);
      settings.put("STORE", redis.url());
    } else if ("memory".equals(store)) {
      settings.put("STORE", "memory");
    }
    String jwt = null;
    if ("on".equals(auth)) {
      byte[] secret = new byte[48];
      new SecureRandom().nextBytes(secret);
      String key = Base64.getEncoder().encodeToString(secret);
      settings.put("AUTH_HS256_SECRET", key);
      settings.putAll(GENEROUS_LIMITS);
      jwt = Hs256.token(key, "bench", SCOPES, 86_400);
    }
    return new Started(settings, redis, jwt);
  }

  /**
   * A started variant: {@code settings} for the child hub ({@code STREAMHUB_*} without the prefix),
   * the Redis it reads and writes (or null), the token the load generator sends (or null).
   */
  public record Started(Map<String, String> settings, RedisServer redis, String jwt) implements AutoCloseable {

    /** The Redis's pid, -1 without one. */
    public long redisPid() {
      return redis == null ? -1 : redis.pid();
    }

    @Override
    public void close() {
      if (redis != null) {
        redis.close();
      }
    }
  }
}
