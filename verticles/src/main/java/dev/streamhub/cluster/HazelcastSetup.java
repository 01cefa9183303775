package dev.streamhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import dev.streamhub.config.ClusterConfig;
import dev.streamhub.config.ConfigException;
import dev.streamhub.internal.ClusterManagers;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds this node's {@link Vertx}: clustered on Hazelcast when {@code cluster_config} is set,
 * alone otherwise. Also the one place that reaches into a running Vertx for its Hazelcast member
 * and its node id.
 *
 * <p>Partition safety (what holds whatever the Hazelcast config file says; see
 * {@code cluster-config/README.md}, "Network partitions"):
 * <ul>
 *   <li>{@code hazelcast.operation.backup.timeout.millis} is 2 s (Hazelcast: 5 s): the stream log
 *       does not trust a success slower than that (Hazelcast's way of giving up on silent backups)
 *       and asks again, so an acknowledged append is held by {@code backup-count + 1} members and a
 *       member cut off from its backups cannot acknowledge one. {@code fail.on.indeterminate.state}
 *       stays off: it would apply to Vert.x's own structures too, which do not retry.</li>
 *   <li>With {@code cluster_quorum} above 1, the split-brain protection {@value #QUORUM}
 *       ({@link DataMemberQuorum}: data members heard from recently; reads and writes) guards the
 *       stream log {@code streamhub.log*} and
 *       the leases {@code streamhub.leases} and the limit counters {@code streamhub.limits*}: a side
 *       that sees fewer data members refuses them (the log and the limits answer
 *       {@code store_unavailable}, so a minority side admits nothing rather than a second budget). Their {@code backup-count} is raised to
 *       {@code cluster_quorum - 1} when lower, so that every acknowledged write lives on a quorum of
 *       members and every majority holds it.</li>
 *   <li>{@code hazelcast.invocation.retry.pause.millis} is 100 ms (Hazelcast: 500 ms): an operation on
 *       a partition that is migrating (a data member joined or left: a rolling restart) is retried
 *       with a growing pause capped at this, so an append or read waits at most about this long past
 *       the migration's end instead of half a second.</li>
 *   <li>After a partition heals the sides merge within {@code hazelcast.merge.next.run.delay.seconds}
 *       (5 s unless the file says otherwise; Hazelcast's default is 2 minutes). The side with fewer
 *       data members merges into the other ({@code PUT_IF_ABSENT}: the quorum side's copy of a stream
 *       stays).</li>
 *   <li>{@code hazelcast.partial.member.disconnection.resolution.heartbeat.count} is 3 (Hazelcast: 0,
 *       off): when two members cannot reach each other but both still reach the master (a one-link
 *       partition), the master removes one of them 3 heartbeat intervals after the last report of
 *       the lost link, so the members left are fully connected again. Off, such a cluster keeps
 *       both members, and every stream with a replica on each end of the cut link stays
 *       unavailable until the link heals.</li>
 * </ul>
 */
public final class HazelcastSetup {

  /** Name of the hub's split-brain protection in the Hazelcast config. */
  public static final String QUORUM = "streamhub-quorum";
  /** Synchronous backups of every stream of the log map ({@link Addresses#LOG_MAP}): each event lives on two members. */
  public static final int LOG_BACKUP_COUNT = 1;
  /** The limit counters' maps ({@code limits.hazelcast.HazelcastLimiter}): under the quorum too. */
  static final String LIMITS_MAPS = "streamhub.limits*";
  /** Hazelcast properties the hub sets when the config file leaves them out. */
  static final Map<String, String> SAFE_DEFAULTS = Map.of(
      ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(), "2000",
      ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS.getName(), "10",
      ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS.getName(), "5",
      ClusterProperty.PARTIAL_MEMBER_DISCONNECTION_RESOLUTION_HEARTBEAT_COUNT.getName(), "3",
      ClusterProperty.INVOCATION_RETRY_PAUSE.getName(), "100");

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastSetup.class);
  /** A node id for a node that runs alone (a clustered node uses its cluster manager's id). */
  private static final String LOCAL_NODE_ID = UUID.randomUUID().toString();

  private HazelcastSetup() {}

  /**
   * The Hazelcast config of {@code cluster_config}, with {@code cluster_name},
   * {@code cluster_lite_member} and {@code cluster_quorum} applied (see the class comment).
   */
  public static Config hazelcastConfig(ClusterConfig config) {
    Config hazelcast;
    try {
      hazelcast = Config.loadFromFile(new File(config.hazelcastConfig()));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot load the Hazelcast config " + config.hazelcastConfig() + " (cluster_config): " + e.getMessage());
    }
    if (config.name() != null) {
      hazelcast.setClusterName(config.name());
    }
    if (config.liteMember()) {
      hazelcast.setLiteMember(true);
    }
    SAFE_DEFAULTS.forEach((name, value) -> {
      if (hazelcast.getProperty(name) == null) {
        hazelcast.setProperty(name, value);
      }
    });
    protect(hazelcast, config.quorum());
    return hazelcast;
  }

  /** Attaches the split-brain protection of {@code quorum} data members to the structures of the log. */
  private static void protect(Config hazelcast, int quorum) {
    MapConfig log = hazelcast.getMapConfigOrNull(Addresses.LOG_MAP + "*");
    if (log == null) {
      log = new MapConfig(Addresses.LOG_MAP + "*").setBackupCount(LOG_BACKUP_COUNT)
          .setAsyncBackupCount(0).setInMemoryFormat(InMemoryFormat.OBJECT);
      hazelcast.addMapConfig(log);
    }
    MapConfig leases = hazelcast.getMapConfig(Addresses.LEASES_MAP);
    MapConfig limits = hazelcast.getMapConfigOrNull(LIMITS_MAPS);
    if (limits == null) {
      limits = new MapConfig(LIMITS_MAPS);
      hazelcast.addMapConfig(limits);
    }
    for (MapConfig map : List.of(log, leases)) {
      map.getMergePolicyConfig().setPolicy(PutIfAbsentMergePolicy.class.getName());
    }
    if (quorum <= 1) {
      if (!hazelcast.isLiteMember()) {
        LOG.warn("cluster_quorum is 1: under a network partition every side goes on accepting appends and the stream log "
            + "can fork; set cluster_quorum to a majority of the data members (cluster-config/README.md)");
      }
      return;
    }
    hazelcast.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, quorum)
        .setProtectOn(SplitBrainProtectionOn.READ_WRITE)
        .setFunctionImplementation(new DataMemberQuorum(quorum, toleranceMs(hazelcast))));
    for (MapConfig map : List.of(log, leases, limits)) {
      map.setSplitBrainProtectionName(QUORUM);
      if (map.getBackupCount() < quorum - 1) {
        LOG.info("map {}: backup-count raised from {} to {} (cluster_quorum {}): an acknowledged write lives on a quorum",
            map.getName(), map.getBackupCount(), quorum - 1, quorum);
        map.setBackupCount(quorum - 1);
      }
    }
  }

  /**
   * How recently a member must have been heard from to count for the quorum: 60% of
   * {@code hazelcast.max.no.heartbeat.seconds} (3 s of the configs' 5 s; the function is re-evaluated
   * every heartbeat interval, so the cut-off side loses the quorum before it drops the others and
   * promotes its backups), but at least two heartbeat intervals.
   */
  static long toleranceMs(Config hazelcast) {
    long maxNoHeartbeat = seconds(hazelcast, ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), 60);
    long heartbeat = seconds(hazelcast, ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), 5);
    return Math.max(2 * heartbeat * 1000, maxNoHeartbeat * 600);
  }

  private static long seconds(Config hazelcast, String property, long dflt) {
    String value = hazelcast.getProperty(property);
    try {
      return value == null ? dflt : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("the Hazelcast property " + property + " is not a number of seconds: '" + value + "'");
    }
  }

  /**
   * True when this node may act for the cluster: it runs alone, or it is a Hazelcast member whose
   * side of the cluster holds the quorum ({@code cluster_quorum} data members; always true with 1).
   */
  public static boolean hasQuorum(Vertx vertx) {
    return hazelcast(vertx).map(instance -> {
      if (!instance.getConfig().getSplitBrainProtectionConfigs().containsKey(QUORUM)) {
        return true;
      }
      return instance.getSplitBrainProtectionService().getSplitBrainProtection(QUORUM).hasMinimumSize();
    }).orElse(true);
  }

  /** The Hazelcast member {@code vertx} is clustered with, if any. */
  public static Optional<HazelcastInstance> hazelcast(Vertx vertx) {
    ClusterManager manager = ClusterManagers.of(vertx);
    return manager instanceof HazelcastClusterManager
        ? Optional.ofNullable(((HazelcastClusterManager) manager).getHazelcastInstance())
        : Optional.empty();
  }

  /** This node's id: the cluster manager's node id, or a random id fixed for this JVM when alone. */
  public static String nodeId(Vertx vertx) {
    ClusterManager manager = ClusterManagers.of(vertx);
    return manager != null ? manager.getNodeId() : LOCAL_NODE_ID;
  }
}
