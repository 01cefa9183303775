package dev.streamhub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link HubMain} as a user runs it: a separate JVM, its exit code and what it prints. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HubMainTest {

  @TempDir
  Path tmp;

  /** Runs HubMain with {@code env} until it exits (at most 30 s); yields exit code and stderr. */
  private Map.Entry<Integer, String> runHubMain(Map<String, String> env, String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), HubMain.class.getName()));
    command.addAll(List.of(args));
    File stderr = tmp.resolve("stderr.txt").toFile();
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(stderr);
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHUB_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("HubMain did not exit within 30 s: " + Files.readString(stderr.toPath()));
      }
      return Map.entry(process.exitValue(), Files.readString(stderr.toPath(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void aPortAlreadyInUseExitsWithOneAndSaysSo(Vertx vertx, VertxTestContext ctx) throws Exception {
    NetServer holder = vertx.createNetServer().connectHandler(socket -> socket.close());
    int port = holder.listen(0, "127.0.0.1").await().actualPort();
    Map.Entry<Integer, String> result = runHubMain(Map.of("STREAMHUB_HTTP_PORT", Integer.toString(port), "STREAMHUB_HTTP_HOST", "127.0.0.1"));
    ctx.verify(() -> {
      assertEquals(1, result.getKey(), result.getValue());
      assertTrue(result.getValue().contains("already in use"), result.getValue());
      assertTrue(result.getValue().contains("port " + port), result.getValue());
    });
    holder.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aBadConfigurationValueExitsWithTwoNamingTheKey(VertxTestContext ctx) throws Exception {
    Map.Entry<Integer, String> result = runHubMain(Map.of("STREAMHUB_HTTP_PORT", "abc"));
    ctx.verify(() -> {
      assertEquals(2, result.getKey(), result.getValue());
      assertTrue(result.getValue().contains("STREAMHUB_HTTP_PORT"), result.getValue());
    });
    ctx.completeNow();
  }

  @Test
  void aMissingConfigFileExitsWithTwoSayingItDoesNotExist(VertxTestContext ctx) throws Exception {
    Path conf = tmp.resolve("missing.json");
    Map.Entry<Integer, String> result = runHubMain(Map.of(), "-conf", conf.toString());
    ctx.verify(() -> {
      assertEquals(2, result.getKey(), result.getValue());
      assertEquals("streamhub: config file " + conf.toAbsolutePath() + " does not exist", result.getValue().strip());
    });
    ctx.completeNow();
  }

  @Test
  void anUnreadableConfigFileExitsWithTwo(VertxTestContext ctx) throws Exception {
    Path conf = tmp.resolve("bad.json");
    Files.writeString(conf, "{\"http_port\": ");
    Map.Entry<Integer, String> result = runHubMain(Map.of(), "-conf", conf.toString());
    ctx.verify(() -> {
      assertEquals(2, result.getKey(), result.getValue());
      assertTrue(result.getValue().contains(conf.toString()), result.getValue());
    });
    ctx.completeNow();
  }
}
