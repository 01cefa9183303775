package dev.streamhub.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debian's nginx running {@code cluster-config/nginx.conf} under its own prefix directory (its
 * pid file, error log and temp paths), listening on a free loopback port, with the upstream's
 * {@code server} lines rendered from the real node ports. {@link #reload} renders a new upstream
 * list and signals the running master, as an operator adding a node would.
 */
final class Nginx implements AutoCloseable {

  static final Path CONF = Path.of("..", "cluster-config", "nginx.conf");
  private static final Pattern SERVER_LINE = Pattern.compile("(?m)^(\\s*)server 127\\.0\\.0\\.1:\\d+( [^;]*)?;\\n");
  private static final Pattern LISTEN_LINE = Pattern.compile("(?m)^(\\s*)listen 8080;");

  private final Path prefix;
  private final int port;
  private final Process process;

  private Nginx(Path prefix, int port, Process process) {
    this.prefix = prefix;
    this.port = port;
    this.process = process;
  }

  /** Starts nginx in front of {@code upstreamPorts} on {@code port}; waits until it accepts connections. */
  static Nginx start(Path prefix, int port, List<Integer> upstreamPorts) throws Exception {
    Files.createDirectories(prefix.resolve("logs"));
    Files.writeString(prefix.resolve("nginx.conf"), render(Files.readString(CONF), prefix, port, upstreamPorts));
    List<String> command = new ArrayList<>(command(prefix));
    command.add("-g");
    command.add(globals(prefix) + " daemon off;");
    Path pid = prefix.resolve("nginx.pid");
    Files.deleteIfExists(pid);
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      prefix.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
          .start();
      Nginx nginx = new Nginx(prefix, port, process);
      awaitReady(nginx, pid, watch);
      return nginx;
    }
  }

  /**
   * Waits (at most 10 s) for the master's pid file, which nginx writes after it has opened its
   * listening sockets, then checks that the port accepts. Wakes on the file's creation (inotify)
   * or, at the latest every 100 ms, to notice that nginx exited instead.
   */
  private static void awaitReady(Nginx nginx, Path pid, WatchService watch) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(Files.exists(pid) && nginx.accepts())) {
      if (!nginx.process.isAlive() || System.nanoTime() > deadline) {
        nginx.close();
        throw new AssertionError("nginx did not start: " + nginx.errors());
      }
      WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
      if (key != null) {
        key.pollEvents();
        key.reset();
      }
    }
  }

  /** Renders the upstream for {@code upstreamPorts} and reloads the running nginx (SIGHUP via {@code -s reload}). */
  void reload(List<Integer> upstreamPorts) throws Exception {
    Files.writeString(prefix.resolve("nginx.conf"), render(Files.readString(CONF), prefix, port, upstreamPorts));
    List<String> command = new ArrayList<>(command(prefix));
    command.addAll(List.of("-g", globals(prefix), "-s", "reload"));
    Process reload = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!reload.waitFor(10, TimeUnit.SECONDS) || reload.exitValue() != 0) {
      throw new AssertionError("nginx -s reload failed: " + new String(reload.getInputStream().readAllBytes()) + errors());
    }
  }

  int port() {
    return port;
  }

  String errors() {
    try {
      return Files.readString(prefix.resolve("logs/error.log")) + Files.readString(prefix.resolve("logs/stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: fast shutdown
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> command(Path prefix) {
    return List.of(nginxBinary(), "-p", prefix.toAbsolutePath() + "/", "-c", prefix.resolve("nginx.conf").toAbsolutePath().toString());
  }

  private static String globals(Path prefix) {
    Path abs = prefix.toAbsolutePath();
    return "pid " + abs.resolve("nginx.pid") + "; error_log " + abs.resolve("logs/error.log") + " warn;";
  }

  static String nginxBinary() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    dev.streamhub.RequiredTool.missing("nginx is not installed (Debian/Ubuntu: sudo apt-get install nginx)");
    throw new AssertionError("unreachable: RequiredTool.missing fails or skips");
  }

  /**
   * The shipped config with its example upstream replaced by {@code upstreamPorts} (same
   * parameters), its listen port by {@code port} on loopback, and temp paths under the prefix.
   * Fails when the shipped file no longer has the lines this relies on.
   */
  static String render(String conf, Path prefix, int port, List<Integer> upstreamPorts) {
    Matcher server = SERVER_LINE.matcher(conf);
    if (!server.find()) {
      throw new AssertionError("nginx.conf has no 'server 127.0.0.1:<port> ...;' upstream line");
    }
    String indent = server.group(1);
    String params = server.group(2) == null ? "" : server.group(2);
    String servers = upstreamPorts.stream()
        .map(p -> indent + "server 127.0.0.1:" + p + params + ";\n")
        .collect(Collectors.joining());
    String rendered = conf.substring(0, server.start()) + servers + SERVER_LINE.matcher(conf.substring(server.start())).replaceAll("");
    Matcher listen = LISTEN_LINE.matcher(rendered);
    if (!listen.find()) {
      throw new AssertionError("nginx.conf has no 'listen 8080;' line");
    }
    rendered = listen.replaceFirst("$1listen 127.0.0.1:" + port + ";");
    Path abs = prefix.toAbsolutePath();
    String temps = "\n    client_body_temp_path " + abs.resolve("body") + ";\n    proxy_temp_path " + abs.resolve("proxy") + ";\n"
        + "    fastcgi_temp_path " + abs.resolve("fastcgi") + ";\n    uwsgi_temp_path " + abs.resolve("uwsgi") + ";\n"
        + "    scgi_temp_path " + abs.resolve("scgi") + ";\n";
    int http = rendered.indexOf("http {");
    if (http < 0) {
      throw new AssertionError("nginx.conf has no 'http {' block");
    }
    return rendered.substring(0, http + 6) + temps + rendered.substring(http + 6);
  }
}
