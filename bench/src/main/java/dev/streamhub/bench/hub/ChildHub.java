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
 * {@code STREAMHUB_*} settings, through the launcher a user runs ({@code bin/streamhub}: its JVM
 * options unless {@code --hub-jvm-opts} replaces them, as {@code STREAMHUB_JVM_OPTS}); stopped
 * (SIGTERM, then SIGKILL after 10 s) by {@link #close()}. The record keeps the JVM's own argument
 * list as the kernel has it, so a figure always names the flags it ran with.
 */
public final class ChildHub implements Hub {

  private final Process process;
  private final Target target;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path log;

  private final Path launcher;

  private ChildHub(Process process, Target target, Map<String, String> env, List<String> jvmOptions, Path log) {
    this(process, target, env, jvmOptions, log, null);
  }

  private ChildHub(Process process, Target target, Map<String, String> env, List<String> jvmOptions, Path log, Path launcher) {
    this.process = process;
    this.target = target;
    this.env = env;
    this.jvmOptions = jvmOptions;
    this.log = log;
    this.launcher = launcher;
  }

  /**
   * Starts {@code jar} and waits (at most 60 s) until {@code /health/live} answers 200.
   *
   * @param settings {@code STREAMHUB_*} variables without the prefix, e.g. {@code DEMO_TTFT_MS}
   */
  public static ChildHub start(Path jar, List<String> jvmOptions, Map<String, String> settings, Path log) throws IOException {
    return start(null, null, jar, jvmOptions, settings, log);
  }

  /**
   * Starts the hub through {@code launcher} ({@code bin/streamhub}) with {@code STREAMHUB_JAR} =
   * {@code jar}: with the launcher's own JVM options when {@code replaced} is null (else
   * {@code STREAMHUB_JVM_OPTS} = {@code replaced}), plus {@code extra} (say a JFR recording) as
   * {@code JAVA_OPTS}. A null launcher runs {@code java <extra> -jar <jar>}.
   */
  public static ChildHub start(Path launcher, List<String> replaced, Path jar, List<String> extra, Map<String, String> settings, Path log)
      throws IOException {
    List<String> jvmOptions = extra;
    if (!Files.isRegularFile(jar)) {
      throw new IOException("hub jar " + jar + " not found; build it with: mvn -q -B -pl verticles package -DskipTests (or pass --hub-jar / --url)");
    }
    int port = freePort();
    Map<String, String> env = new TreeMap<>();
    env.put("STREAMHUB_HTTP_HOST", "127.0.0.1");
    env.put("STREAMHUB_HTTP_PORT", Integer.toString(port));
    settings.forEach((key, value) -> env.put("STREAMHUB_" + key, value));
    List<String> command = new ArrayList<>();
    if (launcher == null) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add(launcher.toString());
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHUB_") || name.equals("JAVA_OPTS"));
    builder.environment().putAll(env);
    if (launcher != null) {
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      builder.environment().put("STREAMHUB_JAR", jar.toString());
      builder.environment().put("JAVA_OPTS", String.join(" ", extra));
      if (replaced != null) {
        builder.environment().put("STREAMHUB_JVM_OPTS", String.join(" ", replaced));
      }
    }
    Process process = builder.start();
    ChildHub hub = new ChildHub(process, new Target("127.0.0.1", port), env, List.copyOf(jvmOptions), log);
    try {
      HubStartup.awaitUp(hub.process, hub.target, hub.log, 60);
    } catch (IOException | RuntimeException e) {
      hub.close();
      throw e;
    }
    if (launcher != null) {
      // the launcher execs java: this process is the JVM, and its arguments are what it runs with
      List<String> actual = new ArrayList<>(process.info().arguments().map(List::of).orElse(List.of()));
      int jarAt = actual.indexOf("-jar");
      hub = new ChildHub(process, hub.target, env, jarAt < 0 ? actual : actual.subList(0, jarAt), log, launcher);
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
    JsonObject described = describe(env, jvmOptions);
    if (launcher != null) {
      described.put("launcher", launcher.getFileName().toString().equals("streamhub") ? "bin/streamhub" : launcher.toString());
    }
    return described;
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
