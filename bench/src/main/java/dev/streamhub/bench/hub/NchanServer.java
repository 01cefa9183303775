package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Nchan peer ({@code --peer nchan}): nginx with Debian's {@code libnginx-mod-nchan}, configured
 * from {@code bench/nchan/nginx.conf.template} and run in the foreground as a child process on a
 * free loopback port with {@code worker_processes} = the hub's core budget. Installs the packages
 * (as root, with apt-get) when the module is missing. Stopped by {@link #close()} (SIGTERM, then
 * SIGKILL of nginx and its workers after 10 s).
 */
public final class NchanServer implements Hub {

  public static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");
  static final List<String> PACKAGES = List.of("nginx-light", "libnginx-mod-nchan");

  private final Process process;
  private final Target target;
  private final int workers;
  private final Path prefix;
  private final String version;
  private final boolean installed;

  private NchanServer(Process process, Target target, int workers, Path prefix, String version, boolean installed) {
    this.process = process;
    this.target = target;
    this.workers = workers;
    this.prefix = prefix;
    this.version = version;
    this.installed = installed;
  }

  /** Installs nginx and Nchan when missing, writes the config under {@code prefix}, starts nginx and waits until it listens. */
  public static NchanServer start(Path template, int workers, Path prefix) throws IOException, InterruptedException {
    boolean installed = ensureInstalled();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Files.createDirectories(prefix);
    String config = Files.readString(template)
        .replace("@PORT@", Integer.toString(port))
        .replace("@PREFIX@", prefix.toAbsolutePath().toString())
        .replace("@WORKERS@", Integer.toString(workers));
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(conf, config);
    Process process = new ProcessBuilder(nginx(), "-c", conf.toAbsolutePath().toString(), "-p", prefix.toAbsolutePath() + "/",
        "-e", prefix.resolve("error.log").toAbsolutePath().toString())
        .redirectErrorStream(true)
        .redirectOutput(prefix.resolve("nginx.out").toFile())
        .start();
    NchanServer server = new NchanServer(process, new Target("127.0.0.1", port), workers, prefix, version(), installed);
    try {
      server.awaitListening();
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Installs {@link #PACKAGES} with apt-get when the Nchan module is absent; true when it did. */
  static boolean ensureInstalled() throws IOException, InterruptedException {
    if (Files.isRegularFile(MODULE) && Files.isExecutable(Path.of(nginx()))) {
      return false;
    }
    System.out.println("   " + MODULE + " is missing: installing " + String.join(" ", PACKAGES) + " (apt-get install -y, as root)");
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IOException("--peer nchan needs " + String.join(" and ", PACKAGES) + "; run as root to let the benchmark install them, "
          + "or install them yourself: sudo apt-get install -y " + String.join(" ", PACKAGES));
    }
    if (apt("install", "-y") != 0 && (apt("update") != 0 || apt("install", "-y") != 0)) {
      throw new IOException("apt-get install -y " + String.join(" ", PACKAGES) + " failed");
    }
    if (!Files.isRegularFile(MODULE)) {
      throw new IOException("installed " + PACKAGES + " but " + MODULE + " is still missing");
    }
    System.out.println("   installed " + String.join(" ", PACKAGES));
    return true;
  }

  private static int apt(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("apt-get"));
    command.addAll(List.of(args));
    if (args[0].equals("install")) {
      command.addAll(PACKAGES);
    }
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    return builder.start().waitFor();
  }

  private static String nginx() {
    return Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
  }

  private static String version() {
    try {
      Process p = new ProcessBuilder(nginx(), "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      String nginx = out.replace("nginx version: ", "");
      Process q = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "libnginx-mod-nchan").redirectErrorStream(true).start();
      String nchan = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return nginx + " + libnginx-mod-nchan " + (q.waitFor() == 0 ? nchan : "(version unknown)");
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("nginx exited with status " + process.exitValue() + "; see " + prefix.resolve("error.log")
            + " and " + prefix.resolve("nginx.out") + ":\n" + tail(prefix.resolve("nginx.out")) + tail(prefix.resolve("error.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(target.host(), target.port()), 500);
        if (process.descendants().count() >= workers) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("nginx did not listen on " + target.url() + " with " + workers + " workers within 30 s; see " + prefix);
  }

  private static String tail(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public Target target() {
    return target;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public JsonObject describe() {
    return new JsonObject()
        .put("started_by_bench", true)
        .put("server", version)
        .put("worker_processes", workers)
        .put("config", "bench/nchan/nginx.conf.template")
        .put("prefix", prefix.toString())
        .put("installed_by_bench", installed)
        .put("rss_cpu", "summed over the nginx master and its worker processes");
  }

  @Override
  public boolean gc() {
    return false;
  }

  @Override
  public String classHistogram() {
    return null;
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    if (process.isAlive()) {
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
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }
}
