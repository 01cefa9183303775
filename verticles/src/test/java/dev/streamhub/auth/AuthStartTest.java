package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubMain;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link HubMain} in a separate JVM: auth switched on without a key stops the start, saying why. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthStartTest {

  @TempDir
  Path tmp;

  @Test
  void authOnWithoutAKeyExitsWithTwoAndSaysWhy() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), HubMain.class.getName()));
    File stderr = tmp.resolve("stderr.txt").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr);
    builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHUB_"));
    builder.environment().put("STREAMHUB_AUTH_ENABLED", "true");
    builder.environment().put("STREAMHUB_HTTP_PORT", "0");
    builder.environment().put("STREAMHUB_HTTP_HOST", "127.0.0.1");
    Process process = builder.start();
    try {
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "HubMain exits");
      String err = Files.readString(stderr.toPath(), StandardCharsets.UTF_8);
      assertEquals(2, process.exitValue(), err);
      assertTrue(err.contains("auth_enabled is true but no key is configured"), err);
      assertTrue(err.contains("STREAMHUB_AUTH_HS256_SECRET"), err);
      assertTrue(err.contains("alg:none"), err);
    } finally {
      process.destroyForcibly();
    }
  }
}
