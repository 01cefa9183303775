package dev.streamhub.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one table of configuration keys: for each, its name in the config file, its environment
 * variable ({@code STREAMHUB_<KEY>}), its default, its allowed range and a one-line doc. Parsing
 * ({@link Settings}' typed getters), the unknown-key check ({@link HubConfig#load}) and the README's
 * configuration table ({@link #readmeTable}, checked by {@code ConfigTableTest}) all come from here.
 * A new key is one row here, one getter call in its capability's record.
 */
public enum ConfigKey {
  HTTP_HOST(Kind.STRING, HttpConfig.DEFAULT_HOST, "interface to bind"),
  HTTP_PORT(Kind.INT, HttpConfig.DEFAULT_PORT, 0, 65535, "TCP port (0: any free port)"),
  HTTP_INSTANCES(Kind.INT, HttpConfig.DEFAULT_INSTANCES, 1, 256, "cores", "event loops serving HTTP"),
  HTTP_MAX_BODY_BYTES(Kind.LONG, HttpConfig.DEFAULT_MAX_BODY_BYTES, 1, 1L << 30, "larger bodies get 413 `payload_too_large`"),
  HTTP_WRITE_QUEUE_BYTES(Kind.INT, HttpConfig.DEFAULT_WRITE_QUEUE_BYTES, 1024, 64 * 1024 * 1024,
      "bytes queued to one slow client before the hub stops pushing to it; it catches up from the log once its socket drains"),
  HTTP_SEND_BUFFER_BYTES(Kind.INT, HttpConfig.DEFAULT_SEND_BUFFER_BYTES, 0, 64 * 1024 * 1024,
      "the kernel send buffer (SO_SNDBUF) of client connections; 0 keeps the OS default"),
  COMPLETION_TIMEOUT_MS(Kind.LONG, HttpConfig.DEFAULT_COMPLETION_TIMEOUT_MS, 1000, 3_600_000,
      "how long a `stream:false` completion waits for its stream to end (then 504 `completion_timeout`)"),
  SSE_RETRY_MS(Kind.LONG, SseConfig.DEFAULT_RETRY_MS, 0, 600_000, "the `retry:` hint"),
  SSE_HEARTBEAT_MS(Kind.LONG, SseConfig.DEFAULT_HEARTBEAT_MS, 10, 3_600_000,
      "interval of `: heartbeat` comments, and of the live-path check of SSE, long-poll and `stream:false` readers"),
  POLL_DEFAULT_TIMEOUT_SECONDS(Kind.INT, PollConfig.DEFAULT_DEFAULT_TIMEOUT_SECONDS, 0, 3600, "long-poll wait without `timeout`"),
  POLL_MAX_TIMEOUT_SECONDS(Kind.INT, PollConfig.DEFAULT_MAX_TIMEOUT_SECONDS, 0, 3600, "larger `timeout` values are clamped to this"),
  POLL_MAX_EVENTS(Kind.INT, PollConfig.DEFAULT_MAX_EVENTS, 1, 1_000_000, "events per long-poll answer"),
  POLL_MAX_BYTES(Kind.INT, PollConfig.DEFAULT_MAX_BYTES, 1, 64 * 1024 * 1024, "a long-poll answer stops taking events at this size"),
  WS_MAX_MESSAGE_BYTES(Kind.INT, WsConfig.DEFAULT_MAX_MESSAGE_BYTES, 128, 64 * 1024 * 1024,
      "larger client messages close the socket with 1009"),
  WS_PING_INTERVAL_MS(Kind.LONG, WsConfig.DEFAULT_PING_INTERVAL_MS, 10, 3_600_000, "hub pings on each socket (and checks its live path)"),
  WS_IDLE_TIMEOUT_MS(Kind.LONG, WsConfig.DEFAULT_IDLE_TIMEOUT_MS, 20, 3_600_000, "a socket silent this long (no pong either) is closed with 1001"),
  WS_COMPRESSION(Kind.BOOL, WsConfig.DEFAULT_COMPRESSION, "negotiate permessage-deflate"),
  WS_DIRECT_WRITES(Kind.BOOL, WsConfig.DEFAULT_DIRECT_WRITES,
      "give each socket Vert.x's direct write queue (4.7 KB less heap per socket; reflection, falls back with a warning on another Vert.x)"),
  WS_SHARED_DEFLATER(Kind.BOOL, WsConfig.DEFAULT_SHARED_DEFLATER,
      "compress WebSockets with one deflater per event loop instead of a zlib stream per socket"),
  LOG_STORE(Kind.ONE_OF, StreamLogConfig.DEFAULT_STORE, String.join(",", StreamLogConfig.STORES.stream().sorted().toList()),
      "`memory` alone, `hazelcast` clustered", "where stream logs and conversations live ([Redis store](#redis-store))"),
  LOG_RETENTION_SECONDS(Kind.LONG, StreamLogConfig.DEFAULT_RETENTION_SECONDS, 0, 365L * 86_400, "how long a finished stream stays readable"),
  LOG_MAX_EVENTS_PER_STREAM(Kind.INT, StreamLogConfig.DEFAULT_MAX_EVENTS_PER_STREAM, 1, 100_000_000,
      "older events beyond this are dropped (`offset_expired`)"),
  LOG_MAX_AGE_SECONDS(Kind.LONG, StreamLogConfig.DEFAULT_MAX_AGE_SECONDS, 1, 365L * 86_400, "any stream is dropped this long after creation"),
  LOG_READ_BATCH(Kind.INT, StreamLogConfig.DEFAULT_READ_BATCH, 1, 100_000, "events per log read when replaying"),
  STORE(Kind.STRING, null, "shorthand for the store: a `log_store` name, or a `redis://` URL meaning `log_store=redis` with that `redis_url`"),
  REDIS_URL(Kind.STRING, StreamLogConfig.DEFAULT_REDIS_URL,
      "the Redis server of `log_store=redis`: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS; the password is never logged"),
  REDIS_TIMEOUT_MS(Kind.LONG, StreamLogConfig.DEFAULT_REDIS_TIMEOUT_MS, 10, 600_000,
      "how long a Redis call (connect included) may take before it fails with 503 `store_unavailable`"),
  CONVERSATION_MAX_TURNS(Kind.INT, ConversationConfig.DEFAULT_MAX_TURNS, 2, 100_000,
      "messages (user turns and answers) a conversation keeps; the oldest are dropped first"),
  CONVERSATION_MAX_BYTES(Kind.INT, ConversationConfig.DEFAULT_MAX_BYTES, 1024, 64 * 1024 * 1024,
      "the most a conversation's turns take as UTF-8 JSON; the oldest are dropped first"),
  CONVERSATION_TTL_SECONDS(Kind.LONG, ConversationConfig.DEFAULT_TTL_SECONDS, 1, 365L * 86_400,
      "a conversation nobody added a turn to this long is dropped"),
  WORKER_ACCEPT_TIMEOUT_MS(Kind.LONG, WorkerConfig.DEFAULT_ACCEPT_TIMEOUT_MS, 1, 600_000, "time for a worker to accept a generation (else 503)"),
  WORKER_INSTANCES(Kind.INT, WorkerConfig.DEFAULT_INSTANCES, 1, 256, "cores",
      "worker verticles per model on this node, each on its own event loop"),
  WORKER_LEASE_MS(Kind.LONG, WorkerConfig.DEFAULT_LEASE_MS, 10, 600_000, "how often a worker renews the liveness lease of each stream it generates"),
  WORKER_LOST_TIMEOUT_MS(Kind.LONG, WorkerConfig.DEFAULT_LOST_TIMEOUT_MS, 20, 3_600_000,
      "a stream whose lease was not renewed this long ends with `worker_lost`"),
  CLUSTER_CONFIG(Kind.STRING, null,
      "a Hazelcast config file: the node joins that cluster (see [cluster-config/README.md](cluster-config/README.md))"),
  CLUSTER_NAME(Kind.STRING, null, "", "the config's", "overrides the Hazelcast cluster name"),
  CLUSTER_HOST(Kind.STRING, ClusterConfig.DEFAULT_HOST, "the address other nodes reach this node's event bus on"),
  ROLES(Kind.STRING, ClusterConfig.DEFAULT_ROLES, "`edge`, `worker` or `all` (comma-separated)"),
  CLUSTER_LITE_MEMBER(Kind.BOOL, false, "join as a Hazelcast lite member: no part of the log lives here, so restarting the node moves no data "
      + "(edges in a rolling upgrade); start the data members first"),
  UPSTREAM_BASE_URL(Kind.STRING, null, "an OpenAI-compatible server (`http://host:port/v1`) whose models the hub serves "
      + "(see [workers/README.md](workers/README.md))"),
  UPSTREAM_API_KEY(Kind.STRING, null, "its API key; never logged"),
  UPSTREAM_TIMEOUT_MS(Kind.LONG, UpstreamConfig.DEFAULT_TIMEOUT_MS, 1, 3_600_000, "time to the upstream's first token"),
  UPSTREAMS(Kind.JSON, null, "several upstreams with model routing, a JSON list"),
  BRIDGE_ENABLED(Kind.BOOL, BridgeConfig.DEFAULT_ENABLED, "the TCP event-bus bridge for workers in other languages"),
  BRIDGE_HOST(Kind.STRING, BridgeConfig.DEFAULT_HOST, "where the bridge listens"),
  BRIDGE_PORT(Kind.INT, BridgeConfig.DEFAULT_PORT, 1, 65535, "the bridge's TCP port"),
  BRIDGE_TOKEN(Kind.STRING, null, "the workers' shared secret (16+ characters), required with the bridge"),
  DRAIN_TIMEOUT_MS(Kind.LONG, DrainConfig.DEFAULT_TIMEOUT_MS, 0, 3_600_000,
      "how long a drain (SIGTERM) lets generations and OpenAI-format streams finish"),
  ADMIN_TOKEN(Kind.STRING, null, "the secret (16+ characters) of `POST /admin/drain` and `POST /admin/undrain` "
      + "(`Authorization: Bearer`); absent, those endpoints answer 404; never logged"),
  LOG_FORMAT(Kind.ONE_OF, OpsConfig.DEFAULT_LOG_FORMAT, "text,json", null,
      "`text`: one readable line per log record; `json`: one JSON object per line with the node id"),
  DEMO_ENABLED(Kind.BOOL, DemoConfig.DEFAULT_ENABLED, "run the demo model worker (`demo`) on this node"),
  DEMO_TTFT_MS(Kind.LONG, DemoConfig.DEFAULT_TTFT_MS, 0, 600_000, "demo time to first token"),
  DEMO_TOKENS_PER_SECOND(Kind.INT, DemoConfig.DEFAULT_TOKENS_PER_SECOND, 1, 1_000_000, "demo pace"),
  DEMO_MAX_TOKENS(Kind.INT, DemoConfig.DEFAULT_MAX_TOKENS, 1, 1_000_000, "demo cap when the request sets no `max_tokens`"),
  DEMO_ANSWER_TOKENS(Kind.INT, DemoConfig.DEFAULT_ANSWER_TOKENS, 0, 1_000_000, "demo answer length; 0 lets the seed choose 24 to 96 tokens");

  /** How a key's value is read. */
  public enum Kind { STRING, INT, LONG, BOOL, ONE_OF, JSON }

  private static final Map<String, ConfigKey> BY_KEY = Stream.of(values()).collect(Collectors.toMap(ConfigKey::key, Function.identity()));

  private final String key = name().toLowerCase(Locale.ROOT);
  private final Kind kind;
  private final Object dflt;
  private final long min;
  private final long max;
  private final List<String> allowed;
  private final String shownDefault;
  private final String doc;

  ConfigKey(Kind kind, Object dflt, String doc) {
    this(kind, dflt, 0, 0, "", null, doc);
  }

  ConfigKey(Kind kind, Object dflt, long min, long max, String doc) {
    this(kind, dflt, min, max, "", null, doc);
  }

  ConfigKey(Kind kind, Object dflt, long min, long max, String shownDefault, String doc) {
    this(kind, dflt, min, max, "", shownDefault, doc);
  }

  ConfigKey(Kind kind, Object dflt, String allowed, String shownDefault, String doc) {
    this(kind, dflt, 0, 0, allowed, shownDefault, doc);
  }

  ConfigKey(Kind kind, Object dflt, long min, long max, String allowed, String shownDefault, String doc) {
    this.kind = kind;
    this.dflt = dflt;
    this.min = min;
    this.max = max;
    this.allowed = allowed.isEmpty() ? List.of() : List.of(allowed.split(","));
    this.shownDefault = shownDefault;
    this.doc = doc;
  }

  /** The name in the config file, e.g. {@code http_port}. */
  public String key() {
    return key;
  }

  /** The environment variable that overrides it, e.g. {@code STREAMHUB_HTTP_PORT}. */
  public String env() {
    return Settings.ENV_PREFIX + name();
  }

  public Kind kind() {
    return kind;
  }

  /** The default: a String, Integer, Long or Boolean; null when the key is absent by default. */
  public Object defaultValue() {
    return dflt;
  }

  /** The smallest allowed value of an {@code INT} or {@code LONG} key. */
  public long min() {
    return min;
  }

  /** The largest allowed value of an {@code INT} or {@code LONG} key. */
  public long max() {
    return max;
  }

  /** The values a {@code ONE_OF} key allows. */
  public List<String> allowed() {
    return allowed;
  }

  public String doc() {
    return doc;
  }

  /** The row of {@code key}, or null when it is not in the table. */
  public static ConfigKey of(String key) {
    return BY_KEY.get(key);
  }

  /** The README's configuration table (Markdown), one row per key in this order. */
  public static String readmeTable() {
    StringBuilder table = new StringBuilder()
        .append("| key | environment | default | allowed | meaning |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigKey k : values()) {
      table.append("| `").append(k.key).append("` | `").append(k.env()).append("` | ").append(k.shownDefault())
          .append(" | ").append(k.range()).append(" | ").append(k.doc).append(" |\n");
    }
    return table.toString();
  }

  private String shownDefault() {
    if (shownDefault != null) {
      return shownDefault;
    }
    return dflt == null ? "absent" : "`" + dflt + "`";
  }

  private String range() {
    switch (kind) {
      case INT:
      case LONG:
        return min + " to " + max;
      case BOOL:
        return "`true`, `false`";
      case ONE_OF:
        return allowed.stream().map(a -> "`" + a + "`").collect(Collectors.joining(", "));
      case JSON:
        return "JSON";
      default:
        return "text";
    }
  }
}
