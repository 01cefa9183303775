package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Waiting for a hub JVM the benchmark started ({@link ChildHub}, {@link NodeProcess}) to serve. */
final class HubStartup {

  private HubStartup() {}

  /**
   * Waits until the hub answers {@code /health/live} on {@code target}, or, for a node without HTTP
   * ({@code target} null), until its log says it is up. Fails at once if the process exits.
   */
  static void awaitUp(Process process, Target target, Path log, int timeoutSeconds) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the hub exited with status " + process.exitValue() + " before serving; see " + log + ":\n" + tail(log));
      }
      if (target == null ? logSays(log, " up: roles=") : answersLive(http, target)) {
        return;
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the hub", e);
      }
    }
    throw new IOException("the hub was not up within " + timeoutSeconds + " s; see " + log);
  }

  private static boolean answersLive(HttpClient http, Target target) throws IOException {
    try {
      HttpRequest live = HttpRequest.newBuilder(URI.create(target.url() + "/health/live")).timeout(Duration.ofSeconds(2)).build();
      return http.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the hub", e);
    }
  }

  private static boolean logSays(Path log, String text) {
    try {
      return Files.readString(log).contains(text);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The last 20 lines of the hub's log. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
