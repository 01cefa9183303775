package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The resumable-stream peer ({@code --peer resumable-stream}): {@code bench/resumable-stream/server.mjs},
 * a {@code node:http} server over the npm package {@code resumable-stream} 2.x, which starts its own
 * {@code redis-server} as a child on a free loopback port. Node and Redis are one server for the
 * record (RSS and CPU summed over the node process and its descendants). {@code npm ci} (or
 * {@code npm install} without a lock file) runs first when {@code node_modules} is missing. Stopped by
 * {@link #close()} (SIGTERM, which stops Redis too; SIGKILL of both after 10 s).
 */
public final class ResumableStreamServer implements Hub {

  private final Process process;
  private final Target target;
  private final Path dir;
  private final Path prefix;
  private final String version;

  private ResumableStreamServer(Process process, Target target, Path dir, Path prefix, String version) {
    this.process = process;
    this.target = target;
    this.dir = dir;
    this.prefix = prefix;
    this.version = version;
  }

  /** Installs the npm packages when missing, starts node (and its redis-server) and waits until it answers {@code GET /health}. */
  public static ResumableStreamServer start(Path dir, Path prefix) throws IOException, InterruptedException {
    ensureInstalled(dir);
    int port = freePort();
    int redisPort = freePort();
    Files.createDirectories(prefix);
    Process process = new ProcessBuilder("node", dir.resolve("server.mjs").toAbsolutePath().toString(),
        "--port", Integer.toString(port), "--redis-port", Integer.toString(redisPort))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(prefix.resolve("server.log").toFile())
        .start();
    ResumableStreamServer server = new ResumableStreamServer(process, new Target("127.0.0.1", port), dir, prefix, version(dir));
    try {
      server.awaitUp();
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** {@code npm ci} in {@code dir} when its {@code node_modules} lacks resumable-stream. */
  static void ensureInstalled(Path dir) throws IOException, InterruptedException {
    if (Files.isRegularFile(dir.resolve("node_modules/resumable-stream/package.json"))) {
      return;
    }
    List<String> command = Files.isRegularFile(dir.resolve("package-lock.json"))
        ? List.of("npm", "ci", "--no-audit", "--no-fund") : List.of("npm", "install", "--no-audit", "--no-fund");
    System.out.println("   " + dir + ": " + String.join(" ", command));
    Process npm = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
    if (!npm.waitFor(600, TimeUnit.SECONDS) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed in " + dir + " (needs node 20+ and npm, and the npm registry)");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String version(Path dir) {
    try {
      String rs = new JsonObject(Files.readString(dir.resolve("node_modules/resumable-stream/package.json"))).getString("version");
      String redisClient = new JsonObject(Files.readString(dir.resolve("node_modules/redis/package.json"))).getString("version");
      return "resumable-stream " + rs + " (redis client " + redisClient + "), node " + output("node", "--version")
          + ", " + output("redis-server", "--version");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private void awaitUp() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("node exited with status " + process.exitValue() + "; see " + prefix.resolve("server.log") + ":\n"
            + Files.readString(prefix.resolve("server.log")));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(target.url() + "/health").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200) {
          c.disconnect();
          return;
        }
        c.disconnect();
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    throw new IOException("the resumable-stream server did not answer on " + target.url() + " within 60 s; see " + prefix);
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
        .put("program", "bench/resumable-stream/server.mjs (node:http + resumable-stream's createNewResumableStream / resumeExistingStream)")
        .put("processes", "one node process (single-threaded event loop) and its redis-server (--save '' --appendonly no)")
        .put("logs", prefix.toString())
        .put("rss_cpu", "summed over node and its redis-server");
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
