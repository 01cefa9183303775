package dev.streamhub.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import java.util.UUID;

/** Hazelcast members for in-process tests: loopback TCP-IP, no multicast, a random cluster name. */
public final class EmbeddedHazelcast {

  private EmbeddedHazelcast() {}

  /** A config whose members find each other on 127.0.0.1 only, in a cluster of their own. */
  public static Config config() {
    return config("streamhub-test-" + UUID.randomUUID());
  }

  public static Config config(String clusterName) {
    Config config = new Config().setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.tcp.join.port.try.count", "3");
    NetworkConfig network = config.getNetworkConfig().setPort(5801).setPortCount(20).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return config;
  }
}
