package dev.streamhub.ops;

import dev.streamhub.cluster.NodeProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * What the ops ITs share: {@code hazelcast-loopback.xml} moved to a Hazelcast port range of its
 * own (20 ports from a random base in 47300-47880: 5701-5720 and 47100-47199 are left to other
 * tests on this host), and free HTTP ports.
 */
final class LoopbackCluster {

  private static final Random RANDOM = new Random();

  private LoopbackCluster() {}

  static Path hazelcastConfig() throws IOException {
    int base = 47300 + 20 * RANDOM.nextInt(30);
    String xml = Files.readString(NodeProcess.LOOPBACK_CONFIG)
        .replace("<port auto-increment=\"true\" port-count=\"10\">5701</port>", "<port auto-increment=\"true\" port-count=\"20\">" + base + "</port>")
        .replace("<property name=\"hazelcast.tcp.join.port.try.count\">10</property>", "<property name=\"hazelcast.tcp.join.port.try.count\">20</property>");
    if (!xml.contains(">" + base + "</port>") || !xml.contains("try.count\">20<")) {
      throw new AssertionError("hazelcast-loopback.xml changed shape: its port range could not be moved");
    }
    Path file = Files.createDirectories(Path.of("target", "ops-it")).resolve("hazelcast-" + base + "-" + System.nanoTime() + ".xml");
    Files.writeString(file, xml);
    return file;
  }

  /** A free port below the ephemeral range (see NodeProcess: a node binds it seconds later). */
  static int freePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int candidate = 20_000 + RANDOM.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port found in 20000-31999");
  }
}
