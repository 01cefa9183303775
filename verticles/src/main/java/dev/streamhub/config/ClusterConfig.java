package dev.streamhub.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Clustering: whether this node joins a Hazelcast cluster, and which roles it plays.
 *
 * @param hazelcastConfig {@code cluster_config}: path of a Hazelcast XML or YAML config (see
 *     {@code cluster-config/}); absent, the node runs alone with a local event bus
 * @param name {@code cluster_name}: overrides the cluster name of the Hazelcast config, or null
 * @param host {@code cluster_host}: the address other nodes reach this node's event bus on
 * @param roles {@code roles}: comma-separated {@code edge} (HTTP, SSE, WebSocket, long-poll),
 *     {@code worker} (model workers), {@code all} (both)
 * @param liteMember {@code cluster_lite_member}: the node joins as a Hazelcast lite member, holding
 *     no partition of the cluster's data (the stream log, registries, leases), so that adding,
 *     draining or restarting it moves no data; the data members must be started first
 * @param quorum {@code cluster_quorum}: the data members (lite members do not count) a side of a
 *     network partition must see to accept appends, stream creation, leases and reads of the
 *     shared store; set it to a majority of the data members (2 of 2 or 3, 3 of 5). 1, the
 *     default, protects nothing: both sides of a partition go on writing and the log can fork
 * @param eventBusPort {@code cluster_eventbus_port}: the port of this node's event bus, 0 for any
 *     free one (a firewall, or a test cutting a partition, needs a fixed one)
 */
public record ClusterConfig(String hazelcastConfig, String name, String host, Set<Role> roles, boolean liteMember, int quorum,
    int eventBusPort) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final String DEFAULT_ROLES = "all";
  public static final int DEFAULT_QUORUM = 1;
  /** Hazelcast keeps at most 6 backups, and an acknowledged write must live on a quorum of members. */
  public static final int MAX_QUORUM = 7;

  /** What a node does. */
  public enum Role {
    EDGE, WORKER;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ClusterConfig {
    roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
  }

  public boolean clustered() {
    return hazelcastConfig != null;
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  static ClusterConfig from(Settings s) {
    String file = s.string(ConfigKey.CLUSTER_CONFIG);
    if (file != null && !Files.isReadable(Path.of(file))) {
      throw new ConfigException("invalid " + s.sourceOf("cluster_config") + " (cluster_config): cannot read the Hazelcast config '" + file + "'");
    }
    return new ClusterConfig(file, s.string(ConfigKey.CLUSTER_NAME), s.string(ConfigKey.CLUSTER_HOST),
        roles(s, s.string(ConfigKey.ROLES)), s.bool(ConfigKey.CLUSTER_LITE_MEMBER), s.integer(ConfigKey.CLUSTER_QUORUM),
        s.integer(ConfigKey.CLUSTER_EVENTBUS_PORT));
  }

  private static Set<Role> roles(Settings s, String value) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : value.split(",")) {
      String role = part.trim().toLowerCase(Locale.ROOT);
      if (role.equals("all")) {
        roles.addAll(EnumSet.allOf(Role.class));
      } else if (role.equals("edge")) {
        roles.add(Role.EDGE);
      } else if (role.equals("worker")) {
        roles.add(Role.WORKER);
      } else {
        throw new ConfigException("invalid " + s.sourceOf("roles") + " (roles): expected a comma-separated list of edge, worker, all, got '" + value + "'");
      }
    }
    return roles;
  }
}
