package dev.streamhub.config;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Everything a node is configured with, one record per capability. */
public record HubConfig(
    HttpConfig http, SseConfig sse, PollConfig poll, WsConfig ws, StreamLogConfig log, DemoConfig demo, WorkerConfig worker,
    UpstreamConfig upstream, BridgeConfig bridge, ClusterConfig cluster, DrainConfig drain, ConversationConfig conversation,
    AuthConfig auth, LimitsConfig limits, OpsConfig ops) {

  /**
   * Reads every key from {@code file}, overridden by {@code STREAMHUB_*} variables in {@code env}.
   *
   * @throws ConfigException naming the first bad key, or every unknown key of the file
   */
  public static HubConfig load(JsonObject file, Map<String, String> env) {
    Settings s = new Settings(file, env);
    ClusterConfig cluster = ClusterConfig.from(s);
    AuthConfig auth = AuthConfig.from(s);
    StreamLogConfig log = StreamLogConfig.from(s, cluster.clustered());
    HubConfig config = new HubConfig(HttpConfig.from(s), SseConfig.from(s), PollConfig.from(s), WsConfig.from(s),
        log, DemoConfig.from(s), WorkerConfig.from(s),
        UpstreamConfig.from(s), BridgeConfig.from(s, auth.enabled()), cluster, DrainConfig.from(s), ConversationConfig.from(s), auth,
        LimitsConfig.from(s, cluster.clustered(), log.store()), OpsConfig.from(s));
    // unknown: in the file, not in the ConfigKey table, and not read by a capability either
    Set<String> unknown = new TreeSet<>(s.unknownKeys());
    unknown.removeIf(key -> !file.containsKey(key) || ConfigKey.of(key) != null);
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown config key(s) " + unknown + "; see the README for the keys");
    }
    return config;
  }

  /** Defaults, then {@code overrides} (flat keys as in the config file); for tests and embedding. */
  public static HubConfig of(JsonObject overrides) {
    return load(overrides, Map.of());
  }
}
