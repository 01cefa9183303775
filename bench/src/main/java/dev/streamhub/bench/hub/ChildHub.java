package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The hub jar started as a child JVM on a free loopback port with the scenario's
 * {@code STREAMHUB_*} settings; stopped (SIGTERM, then SIGKILL after 10 s) by {@link #close()}.
 */
public final class ChildHub implements Hub {

  private final Process process;
  private final Target target;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path log;

  private ChildHub(Process process, Target target, Map<String, String> env, List<String> jvmOptions, Path log) {
    this.process = process;
    this.target = target;
    this.env = env;
    this.jvmOptions = jvmOptions;
    this.log = log;
  }

  /**
   * Starts {@code jar} and waits (at most 60 s) until {@code /health/live} answers 200.
   *
   * @param settings {@code STREAMHUB_*} variables without the prefix, e.g. {@code DEMO_TTFT_MS}
   */
  public static ChildHub start(Path jar, List<String> jvmOptions, Map<String, String> settings, Path log) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("hub jar " + jar + " not found; build it with: mvn -q -B -pl verticles package -DskipTests (or pass --hub-jar / --url)");
    }
    int port = freePort();
    Map<String, String> env = new TreeMap<>();
    env.put("STREAMHUB_HTTP_HOST", "127.0.0.1");
    env.put("STREAMHUB_HTTP_PORT", Integer.toString(port));
    settings.forEach((key, value) -> env.put("STREAMHUB_" + key, value));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHUB_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    ChildHub hub = new ChildHub(process, new Target("127.0.0.1", port), env, List.copyOf(jvmOptions), log);
    try {
      HubStartup.awaitUp(hub.process, hub.target, hub.log, 60);
    } catch (IOException | RuntimeException e) {
      hub.close();
      throw e;
    }
    return hub;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Runs {@code jcmd <pid> <command>} from this JDK; true when it succeeded within 30 s. */
  static boolean jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The output of {@code jcmd <pid> <command>}, null when it failed or took over 60 s. */
  static String jcmdOutput(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return null;
    }
    try {
      Path out = Files.createTempFile("bench-jcmd", ".txt");
      try {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        return ok ? Files.readString(out) : null;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public String classHistogram() {
    return jcmdOutput(process.pid(), "GC.class_histogram");
  }

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
    return describe(env, jvmOptions);
  }

  /** What a child hub JVM was started with, for the record: its options and settings, no port, no secret. */
  static JsonObject describe(java.util.Map<String, String> env, java.util.List<String> jvmOptions) {
    JsonObject settings = new JsonObject();
    env.forEach(settings::put);
    settings.remove("STREAMHUB_HTTP_PORT");
    settings.remove("STREAMHUB_UPSTREAM_API_KEY");
    settings.remove("STREAMHUB_AUTH_HS256_SECRET");
    return new JsonObject()
        .put("started_by_bench", true)
        .put("jvm_options", new JsonArray(new ArrayList<>(jvmOptions)))
        .put("env", settings);
  }

  @Override
  public boolean gc() {
    return jcmd(process.pid(), "GC.run");
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
