package dev.streamhub.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One hub node in its own JVM ({@code java -jar target/streamhub.jar}), configured by
 * {@code STREAMHUB_*} variables, its output in {@code target/it-logs/<name>.log}. Tests kill it
 * with {@link #kill()} (SIGKILL) or stop it with {@link #stop()} (SIGTERM: graceful leave).
 */
public final class NodeProcess implements AutoCloseable {

  public static final Path JAR = Path.of("target", "streamhub.jar");
  public static final Path LOOPBACK_CONFIG = Path.of("..", "cluster-config", "hazelcast-loopback.xml");

  private final String name;
  private final int port;
  private final Process process;
  private volatile boolean stopping;

  private NodeProcess(String name, int port, Process process) {
    this.name = name;
    this.port = port;
    this.process = process;
  }

  /** Starts node {@code name} of cluster {@code cluster} with {@code roles}, on a free HTTP port. */
  public static NodeProcess start(String name, String cluster, String roles, Map<String, String> env) throws IOException {
    return start(name, cluster, roles, env, List.of());
  }

  /**
   * As {@link #start(String, String, String, Map)}, the JVM run through {@code launcher} (a command
   * that execs the rest, such as {@code setpriv --groups N --}; empty for none).
   */
  public static NodeProcess start(String name, String cluster, String roles, Map<String, String> env, List<String> launcher) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run `mvn package` (or `mvn verify`) first");
    }
    int port = freePort();
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-jar", JAR.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile());
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(key -> key.startsWith("STREAMHUB_"));
    environment.put("STREAMHUB_CLUSTER_CONFIG", LOOPBACK_CONFIG.toAbsolutePath().normalize().toString());
    environment.put("STREAMHUB_CLUSTER_NAME", cluster);
    environment.put("STREAMHUB_CLUSTER_HOST", "127.0.0.1");
    environment.put("STREAMHUB_ROLES", roles);
    environment.put("STREAMHUB_HTTP_HOST", "127.0.0.1");
    environment.put("STREAMHUB_HTTP_PORT", Integer.toString(port));
    environment.put("STREAMHUB_HTTP_INSTANCES", "1");
    environment.putAll(env);
    return new NodeProcess(name, port, builder.start());
  }

  public String name() {
    return name;
  }

  /** The HTTP port (unused when the node has no edge role). */
  public int port() {
    return port;
  }

  /** True when the process ended without {@link #kill()} or {@link #stop()}: it crashed or could not start. */
  public boolean exitedUnexpectedly() {
    return !stopping && !process.isAlive();
  }

  /** kill -9: the node vanishes without leaving the cluster. */
  public void kill() throws InterruptedException {
    stopping = true;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the node's shutdown hook stops the hub and leaves the cluster; waits for the exit. */
  public void stop() throws InterruptedException {
    stopping = true;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not exit within 30 s of SIGTERM");
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  /**
   * A free port below Linux's ephemeral range (32768 and up): the node binds it a few seconds after
   * this check, and a port the kernel hands out for outgoing connections (the other nodes' Hazelcast
   * and event-bus links) could otherwise take it in between.
   */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int candidate = 20_000 + RANDOM.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port found in 20000-31999");
  }

  private static final java.util.Random RANDOM = new java.util.Random();
}
