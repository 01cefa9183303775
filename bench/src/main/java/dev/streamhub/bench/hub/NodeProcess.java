package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One hub node as a child JVM, for scenarios that start several (a cluster) or need a fixed port:
 * like {@link ChildHub}, but the node may have no HTTP edge (role {@code worker}), then it is ready
 * when its log says {@code StreamHub node ... up}. Stopped with SIGTERM, then SIGKILL after 10 s.
 */
public final class NodeProcess implements Hub {

  private final Process process;
  private final Target target;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path log;

  private NodeProcess(Process process, Target target, Map<String, String> env, List<String> jvmOptions, Path log) {
    this.process = process;
    this.target = target;
    this.env = env;
    this.jvmOptions = jvmOptions;
    this.log = log;
  }

  /**
   * Starts {@code jar} and waits (at most 90 s: a cluster join takes a few seconds) until it serves.
   *
   * @param port the HTTP port, or -1 for a node without the {@code edge} role
   * @param settings {@code STREAMHUB_*} variables without the prefix
   */
  public static NodeProcess start(Path jar, List<String> jvmOptions, Map<String, String> settings, int port, Path log)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("hub jar " + jar + " not found; build it with: mvn -q -B -pl verticles package -DskipTests");
    }
    Map<String, String> env = new TreeMap<>();
    env.put("STREAMHUB_HTTP_HOST", "127.0.0.1");
    if (port > 0) {
      env.put("STREAMHUB_HTTP_PORT", Integer.toString(port));
    }
    settings.forEach((key, value) -> env.put("STREAMHUB_" + key, value));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHUB_"));
    builder.environment().putAll(env);
    NodeProcess node = new NodeProcess(builder.start(), port > 0 ? new Target("127.0.0.1", port) : null, env,
        List.copyOf(jvmOptions), log);
    try {
      HubStartup.awaitUp(node.process, node.target, node.log, 90);
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /** A free loopback port in [20000, 32768): below Linux's ephemeral range, so no outgoing connection takes it meanwhile. */
  public static int freePortBelowEphemeral() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_768);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free loopback port found in 20000-32767");
  }

  /** The node's HTTP address; null for a node without the {@code edge} role. */
  @Override
  public Target target() {
    return target;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  @Override
  public JsonObject describe() {
    return ChildHub.describe(env, jvmOptions);
  }

  @Override
  public boolean gc() {
    return ChildHub.jcmd(process.pid(), "GC.run");
  }

  @Override
  public String classHistogram() {
    return ChildHub.jcmdOutput(process.pid(), "GC.class_histogram");
  }

  /**
   * SIGTERM: the node drains and leaves the cluster. Waits for the exit (killing it after
   * {@code timeoutMs}) and returns the milliseconds from the signal to the exit.
   */
  public long stopGracefully(long timeoutMs) throws InterruptedException {
    long start = System.nanoTime();
    process.destroy();
    if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("node pid " + process.pid() + " did not exit within " + timeoutMs + " ms of SIGTERM; see " + log);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
