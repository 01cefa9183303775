package dev.streamhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import java.util.UUID;

/**
 * Hazelcast members for in-process tests: loopback TCP-IP, no multicast, a random cluster name, and
 * member ports from a base of this JVM's own ({@link #BASE_PORT}). With one fixed base for every
 * JVM, two test JVMs at once (two suites, or a suite beside another build's) took each other's first
 * ports, and the members of one cluster, which look for each other only at the first {@link
 * #PORT_TRY_COUNT} ports of the base, did not find each other: each formed a cluster alone, and the
 * test saw {@code model_not_found} where the worker sat on the other member.
 */
public final class EmbeddedHazelcast {

  /** Ports per JVM, and how many of them a joining member tries. */
  static final int PORTS = 20;
  static final int PORT_TRY_COUNT = PORTS; // a refused loopback port costs nothing
  /**
   * This JVM's first member port: a random block of {@link #PORTS} in 10000-11999 (below the bridge
   * ports the tests pick, 12000-19999, and the HTTP ports they bind, and far from the Hazelcast defaults 5701 and 5801 other
   * clusters on the host use) whose ports were all free when the JVM first asked.
   */
  public static final int BASE_PORT = freeBlock();

  private EmbeddedHazelcast() {}

  private static int freeBlock() {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 10000 + random.nextInt(2000 / PORTS) * PORTS;
      if (allFree(base)) {
        return base;
      }
    }
    throw new IllegalStateException("no block of " + PORTS + " free ports in 10000-11999");
  }

  private static boolean allFree(int base) {
    for (int port = base; port < base + PORTS; port++) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        // free now
      } catch (java.io.IOException taken) {
        return false;
      }
    }
    return true;
  }

  /** A config whose members find each other on 127.0.0.1 only, in a cluster of their own. */
  public static Config config() {
    return config("streamhub-test-" + UUID.randomUUID());
  }

  public static Config config(String clusterName) {
    Config config = new Config().setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.tcp.join.port.try.count", Integer.toString(PORT_TRY_COUNT));
    NetworkConfig network = config.getNetworkConfig().setPort(BASE_PORT).setPortCount(PORTS).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return config;
  }
}
