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
  TRANSPORTS(Kind.STRING, HttpConfig.DEFAULT_TRANSPORTS, "the reading transports served, comma-separated: `ws` (`/v1/ws`), `sse` "
      + "(`GET /v1/streams/{id}/events`), `poll` (`GET /v1/streams/{id}/poll`); the others answer 404 `transport_disabled` "
      + "(a WebSocket upgrade is refused with it), which the JavaScript client's `auto` falls back past"),
  SSE_RETRY_MS(Kind.LONG, SseConfig.DEFAULT_RETRY_MS, 0, 600_000, "the `retry:` hint"),
  SSE_HEARTBEAT_MS(Kind.LONG, SseConfig.DEFAULT_HEARTBEAT_MS, 10, 3_600_000,
      "interval of `: heartbeat` comments, and of the live-path check of SSE, long-poll and `stream:false` readers"),
  POLL_DEFAULT_TIMEOUT_SECONDS(Kind.INT, PollConfig.DEFAULT_DEFAULT_TIMEOUT_SECONDS, 0, 3600, "long-poll wait without `timeout`"),
  POLL_MAX_TIMEOUT_SECONDS(Kind.INT, PollConfig.DEFAULT_MAX_TIMEOUT_SECONDS, 0, 3600, "larger `timeout` values are clamped to this"),
  POLL_MAX_EVENTS(Kind.INT, PollConfig.DEFAULT_MAX_EVENTS, 1, 1_000_000, "events per long-poll answer"),
  POLL_MAX_BYTES(Kind.INT, PollConfig.DEFAULT_MAX_BYTES, 1, 64 * 1024 * 1024, "a long-poll answer stops taking events at this size (or at `http_write_queue_bytes`, if smaller)"),
  WS_MAX_MESSAGE_BYTES(Kind.INT, WsConfig.DEFAULT_MAX_MESSAGE_BYTES, 128, 64 * 1024 * 1024,
      "larger client messages close the socket with 1009"),
  WS_PING_INTERVAL_MS(Kind.LONG, WsConfig.DEFAULT_PING_INTERVAL_MS, 10, 3_600_000, "hub pings on each socket (and checks its live path)"),
  WS_IDLE_TIMEOUT_MS(Kind.LONG, WsConfig.DEFAULT_IDLE_TIMEOUT_MS, 20, 3_600_000, "a socket silent this long (no pong either) is closed with 1001"),
  WS_COMPRESSION(Kind.BOOL, WsConfig.DEFAULT_COMPRESSION, "negotiate permessage-deflate"),
  WS_DIRECT_WRITES(Kind.BOOL, WsConfig.DEFAULT_DIRECT_WRITES,
      "give each socket Vert.x's direct write queue (4.7 KB less heap per socket; reflection, falls back with a warning on another Vert.x)"),
  WS_SHARED_DEFLATER(Kind.BOOL, WsConfig.DEFAULT_SHARED_DEFLATER,
      "compress WebSockets with one deflater per event loop instead of a zlib stream per socket (swaps Netty's encoder; keeps it with a warning on another Vert.x or Netty)"),
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
  DISCONNECT_GRACE_MAX_MS(Kind.LONG, WorkerConfig.DEFAULT_DISCONNECT_GRACE_MAX_MS, 1, 3_600_000,
      "the longest (and the default) grace a request's `cancel_on_disconnect` may ask for ([When a client disconnects](#when-a-client-disconnects))"),
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
  CLUSTER_EVENTBUS_PORT(Kind.INT, 0, 0, 65535, "the TCP port of this node's event bus (other nodes connect to it); `0` picks a free one"),
  ROLES(Kind.STRING, ClusterConfig.DEFAULT_ROLES, "`edge`, `worker` or `all` (comma-separated)"),
  CLUSTER_LITE_MEMBER(Kind.BOOL, false, "join as a Hazelcast lite member: no part of the log lives here, so restarting the node moves no data "
      + "(edges in a rolling upgrade); start the data members first"),
  CLUSTER_QUORUM(Kind.INT, ClusterConfig.DEFAULT_QUORUM, 1, ClusterConfig.MAX_QUORUM,
      "data members (lite members do not count) a side of a network partition needs to accept appends, new streams, leases and log reads; "
      + "set a majority: 2 of 2 or 3 data members, 3 of 5. `1` protects nothing (warned at start)"),
  UPSTREAM_BASE_URL(Kind.STRING, null, "an OpenAI-compatible server (`http://host:port/v1`) whose models the hub serves "
      + "(see [workers/README.md](workers/README.md))"),
  UPSTREAM_API_KEY(Kind.STRING, null, "its API key; never logged"),
  UPSTREAM_TIMEOUT_MS(Kind.LONG, UpstreamConfig.DEFAULT_TIMEOUT_MS, 1, 3_600_000, "time to the upstream's first token"),
  UPSTREAMS(Kind.JSON, null, "several upstreams with model routing, a JSON list"),
  BRIDGE_ENABLED(Kind.BOOL, BridgeConfig.DEFAULT_ENABLED, "the TCP event-bus bridge for workers in other languages"),
  BRIDGE_HOST(Kind.STRING, BridgeConfig.DEFAULT_HOST, "where the bridge listens"),
  BRIDGE_PORT(Kind.INT, BridgeConfig.DEFAULT_PORT, 1, 65535, "the bridge's TCP port"),
  BRIDGE_TOKEN(Kind.STRING, null, "the workers' shared secret (16+ characters); required with the bridge unless auth is on (workers then present a `publish`-scope JWT)"),
  DRAIN_TIMEOUT_MS(Kind.LONG, DrainConfig.DEFAULT_TIMEOUT_MS, 0, 3_600_000,
      "how long a drain (SIGTERM) lets generations and OpenAI-format streams finish"),
  AUTH_ENABLED(Kind.BOOL, null, "", "`true` when a key is set", "require a valid bearer token on every API endpoint (not `/health/*` or the demo pages)"),
  AUTH_HS256_SECRET(Kind.STRING, null, "HMAC secret of HS256 tokens (32+ characters); set alone, it turns auth on; never logged"),
  AUTH_PUBLIC_KEYS(Kind.JSON, null, "public keys: `[{\"alg\":\"RS256\"|\"ES256\"|..., \"pem\" or \"file\", \"kid\"}]`"),
  AUTH_JWKS_FILE(Kind.STRING, null, "a JWKS (`{\"keys\":[...]}`) file"),
  AUTH_JWKS_URL(Kind.STRING, null, "a JWKS URL, fetched at start, on an unknown `kid` and after `auth_jwks_max_age_ms`"),
  AUTH_OIDC_ISSUER(Kind.STRING, null, "an OpenID Connect issuer: its discovery document names the JWKS URL; tokens must carry it as `iss`"),
  AUTH_ALGORITHMS(Kind.JSON, null, "", "the keys' algorithms", "the only JWS algorithms accepted (never `none`)"),
  AUTH_REQUIRE_EXP(Kind.BOOL, AuthConfig.DEFAULT_REQUIRE_EXP, "a token without `exp` is refused"),
  AUTH_LEEWAY_SECONDS(Kind.INT, AuthConfig.DEFAULT_LEEWAY_SECONDS, 0, 600, "clock skew allowed on `exp` and `nbf`"),
  AUTH_ISSUER(Kind.STRING, null, "", "`auth_oidc_issuer`", "the required `iss`"),
  AUTH_AUDIENCE(Kind.JSON, null, "one of these must be in `aud` (a JSON list); absent: not checked"),
  AUTH_COOKIE(Kind.STRING, AuthConfig.DEFAULT_COOKIE, "the cookie that may carry the token on GET streaming endpoints"),
  AUTH_WS_TIMEOUT_MS(Kind.LONG, AuthConfig.DEFAULT_WS_AUTH_TIMEOUT_MS, 10, 600_000,
      "a WebSocket without a token must send `{\"type\":\"auth\",\"token\"}` this soon, else 1008"),
  AUTH_WS_MAX_PENDING(Kind.INT, AuthConfig.DEFAULT_WS_MAX_PENDING, 1, 1_000_000,
      "at most this many WebSockets per node may be waiting for their first-message token at once; more: error `rate_limited`, close 1013"),
  AUTH_JWKS_COOLDOWN_MS(Kind.LONG, AuthConfig.DEFAULT_JWKS_COOLDOWN_MS, 0, 86_400_000, "at least this long between two JWKS fetches"),
  AUTH_JWKS_MAX_AGE_MS(Kind.LONG, AuthConfig.DEFAULT_JWKS_MAX_AGE_MS, 1000, 7 * 86_400_000L, "a JWKS this old is fetched again"),
  AUTH_BRIDGE_TOKEN_ALLOWED(Kind.BOOL, true, "with auth on, the bridge and HTTP publish still take `bridge_token` besides a `publish`-scope JWT"),
  SECURITY_ALLOWED_ORIGINS(Kind.JSON, null, "origins allowed to open a WebSocket and to call the API from a browser (CORS); absent: `Origin` unchecked, no CORS"),
  LIMITS_STORE(Kind.ONE_OF, null, "hazelcast,memory,redis", "`redis` with `log_store` redis, `hazelcast` clustered, else `memory`",
      "where limits are counted: this node, or shared by every node (atomic); `redis` uses `redis_url`"),
  LIMITS_REQUEST_RATE(Kind.LONG, 0L, 0, Long.MAX_VALUE / 4, "API requests per window per `limits_request_key` (0: off)"),
  LIMITS_REQUEST_WINDOW_MS(Kind.LONG, LimitsConfig.DEFAULT_WINDOW_MS, 100, 86_400_000, "the request-rate window"),
  LIMITS_REQUEST_KEY(Kind.STRING, LimitsConfig.DEFAULT_KEY,
      "what the request rate counts per: `consumer`, `ip`, `header:<name>`, `query:<name>` or `cookie:<name>`"),
  LIMITS_TOKEN_RATE(Kind.LONG, 0L, 0, Long.MAX_VALUE / 4, "LLM tokens workers produce per window per `limits_token_key` (0: off)"),
  LIMITS_TOKEN_WINDOW_MS(Kind.LONG, LimitsConfig.DEFAULT_WINDOW_MS, 100, 86_400_000, "the token-rate window (60000: tokens per minute)"),
  LIMITS_TOKEN_KEY(Kind.STRING, LimitsConfig.DEFAULT_KEY, "what the token rate counts per (as `limits_request_key`)"),
  LIMITS_CONCURRENT_STREAMS(Kind.LONG, 0L, 0, 1_000_000, "unfinished generations per consumer (0: off)"),
  LIMITS_CONNECTIONS_PER_CONSUMER(Kind.LONG, 0L, 0, 10_000_000, "open sessions (SSE, long-poll, WebSocket, completion) per consumer (0: off)"),
  LIMITS_CONNECTIONS_PER_IP(Kind.LONG, 0L, 0, 10_000_000, "open sessions per client IP (0: off)"),
  LIMITS_SLOT_TTL_MS(Kind.LONG, LimitsConfig.DEFAULT_SLOT_TTL_MS, 300, 3_600_000,
      "`limits_store` redis: a node renews its connection and stream slots every third of this; a node that stops renewing (it died) has its slots freed this long after its last renewal; at least 3 times `redis_timeout_ms`"),
  IP_ALLOW(Kind.JSON, null, "CIDRs; when set, only these client IPs are served"),
  IP_DENY(Kind.JSON, null, "CIDRs refused with 403 `forbidden` (checked before `ip_allow`)"),
  ACCESS_RULES(Kind.JSON, null, "ordered allow/deny rules on path, method and headers; the first match decides"),
  TRUSTED_PROXIES(Kind.JSON, null, "CIDRs whose `X-Forwarded-For` / `Forwarded` name the client IP"),
  HTTP_MAX_HEADER_BYTES(Kind.INT, LimitsConfig.DEFAULT_MAX_HEADER_BYTES, 256, 1024 * 1024, "request line plus headers; larger: 431 `headers_too_large`"),
  HTTP_HEADER_TIMEOUT_MS(Kind.LONG, LimitsConfig.DEFAULT_HEADER_TIMEOUT_MS, 50, 3_600_000,
      "a connection must finish a request's headers this soon after it opened or its last response ended (slowloris)"),
  HTTP_IDLE_TIMEOUT_MS(Kind.LONG, LimitsConfig.DEFAULT_IDLE_TIMEOUT_MS, 0, 86_400_000, "a connection silent both ways this long is closed (0: never)"),
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
