package dev.streamhub.bench.variant;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} for {@code --store redis}: a free loopback port, no
 * persistence ({@code --save '' --appendonly no}), its own temporary directory; stopped (SIGTERM,
 * then SIGKILL after 10 s) by {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts it and waits (at most 10 s) until the port accepts connections. */
  public static RedisServer start(Path logDir) throws IOException {
    String binary = findOnPath("redis-server");
    if (binary == null) {
      throw new IOException("--store redis needs redis-server on the PATH (Debian/Ubuntu: apt-get install redis-server)");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("streamhub-bench-redis");
    Files.createDirectories(logDir);
    Process process = new ProcessBuilder(List.of(binary, "--bind", "127.0.0.1", "--port", Integer.toString(port),
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"))
        .redirectErrorStream(true)
        .redirectOutput(logDir.resolve("redis-bench.log").toFile())
        .start();
    RedisServer redis = new RedisServer(process, port);
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return redis;
      } catch (IOException e) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          redis.close();
          throw new IOException("redis-server did not accept connections on 127.0.0.1:" + port + " within 10 s (log "
              + logDir.resolve("redis-bench.log") + ")", e);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        redis.close();
        throw new IOException("interrupted while starting redis-server", e);
      }
    }
  }

  private static String findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  public long pid() {
    return process.pid();
  }

  /** {@code redis://127.0.0.1:<port>}: the hub's {@code STREAMHUB_STORE}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
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
