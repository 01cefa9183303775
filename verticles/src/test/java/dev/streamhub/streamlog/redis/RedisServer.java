package dev.streamhub.streamlog.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} of a test's own: loopback, a free port, a temporary directory, no RDB
 * snapshots. With {@code appendOnly}, every write is fsynced to the append-only file before Redis
 * answers ({@code appendfsync always}), so what it acknowledged survives {@link #kill()} and
 * {@link #start()} again on the same port and directory.
 *
 * <p>Without {@code redis-server} on the PATH the test is skipped with how to install it; in CI
 * ({@code CI=true}) it fails instead, since {@code .ci/run} installs it.
 */
public final class RedisServer implements AutoCloseable {

  private static final long READY_TIMEOUT_MS = 15_000;

  private final String binary;
  private final boolean appendOnly;
  private final Path dir;
  private int port;
  private Process process;

  private RedisServer(String binary, boolean appendOnly, Path dir) {
    this.binary = binary;
    this.appendOnly = appendOnly;
    this.dir = dir;
  }

  /** Starts a server; skips (or, in CI, fails) the calling test when there is no redis-server. */
  public static RedisServer startNew(boolean appendOnly) {
    String binary = binary().orElse(null);
    if (binary == null) {
      String how = "redis-server is not installed: install it (Debian/Ubuntu: sudo apt-get install redis-server;"
          + " macOS: brew install redis) to run the Redis store tests";
      dev.streamhub.RequiredTool.missing(how);
    }
    try {
      RedisServer server = new RedisServer(binary, appendOnly, Files.createTempDirectory("streamhub-redis"));
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start redis-server", e);
    }
  }

  private static Optional<String> binary() {
    List<String> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        candidates.add(d + "/redis-server");
      }
    }
    candidates.add("/usr/bin/redis-server");
    candidates.add("/usr/sbin/redis-server");
    candidates.add("/usr/local/bin/redis-server");
    return candidates.stream().filter(c -> new File(c).canExecute()).findFirst();
  }

  /**
   * Starts on a free port (another one if that was taken meanwhile, up to 5 tries), or starts again
   * after {@link #stop()} or {@link #kill()} on the same port and directory: its clients reconnect there.
   */
  public synchronized void start() throws IOException {
    if (process != null) {
      throw new IllegalStateException("already running");
    }
    if (port != 0) {
      launch();
      return;
    }
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      port = freePort();
      try {
        launch();
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    port = 0;
    throw last;
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--protected-mode", "yes"));
    cmd.addAll(appendOnly ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
    Process started = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CountDownLatch ready = new CountDownLatch(1);
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (output) {
            if (output.length() < 20_000) {
              output.append(line).append('\n');
            }
          }
          if (line.contains("Ready to accept connections")) {
            ready.countDown();
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "redis-server-output-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      if (!ready.await(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        started.destroyForcibly();
        synchronized (output) {
          throw new IOException("redis-server on port " + port + " not ready in " + READY_TIMEOUT_MS + " ms:\n" + output);
        }
      }
    } catch (InterruptedException e) {
      started.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    process = started;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** SIGSTOP: Redis keeps its connections open but answers nothing, as a hung server would. */
  public synchronized void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** SIGCONT after {@link #freeze()}: Redis answers again, in order, what it was sent meanwhile. */
  public synchronized void thaw() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** SIGTERM and wait: Redis shuts down cleanly. */
  public synchronized void stop() {
    end(false);
  }

  /** SIGKILL and wait: Redis dies without a chance to flush anything. */
  public synchronized void kill() {
    end(true);
  }

  private void end(boolean force) {
    if (process == null) {
      return;
    }
    try {
      signal("-CONT"); // a frozen server could not act on SIGTERM
    } catch (IOException | InterruptedException ignored) {
      // it is ending anyway
    }
    Process p = force ? process.destroyForcibly() : process;
    if (!force) {
      p.destroy();
    }
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Kills the server and deletes its directory. */
  @Override
  public synchronized void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind
    }
  }
}
