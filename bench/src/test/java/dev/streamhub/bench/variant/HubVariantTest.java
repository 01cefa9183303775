package dev.streamhub.bench.variant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.bench.BenchOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HubVariantTest {

  @Test
  void storeTimesAuthInTheOrderGivenStoreOuter() {
    List<HubVariant> variants = HubVariant.parse(BenchOptions.parse(new String[] {"many-streams", "--store", "redis,memory", "--auth", "off,on"}));
    assertEquals(List.of("store=redis auth=off", "store=redis auth=on", "store=memory auth=off", "store=memory auth=on"),
        variants.stream().map(HubVariant::label).toList());
  }

  @Test
  void withoutEitherOptionOnePlainVariant() {
    List<HubVariant> variants = HubVariant.parse(BenchOptions.parse(new String[] {"many-streams"}));
    assertEquals(1, variants.size());
    assertTrue(variants.get(0).plain());
    assertNull(variants.get(0).label());
  }

  @Test
  void unknownOrRepeatedValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> HubVariant.parse(BenchOptions.parse(new String[] {"many-streams", "--store", "memory,hazelcast"})));
    assertThrows(IllegalArgumentException.class, () -> HubVariant.parse(BenchOptions.parse(new String[] {"many-streams", "--auth", "on,on"})));
  }

  @Test
  void authOnSetsASecretGenerousLimitsAndATokenSignedWithIt() throws Exception {
    try (HubVariant.Started started = new HubVariant("memory", "on").start(Files.createTempDirectory("hub-variant-test"))) {
      String secret = started.settings().get("AUTH_HS256_SECRET");
      assertTrue(secret.length() >= 32);
      assertEquals("memory", started.settings().get("STORE"));
      assertEquals("1000000000", started.settings().get("LIMITS_REQUEST_RATE"));
      assertEquals("10000000", started.settings().get("LIMITS_CONNECTIONS_PER_IP"));
      assertEquals(-1, started.redisPid());
      String[] parts = started.jwt().split("\\.");
      assertEquals(3, parts.length);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      assertArrayEquals(expected, Base64.getUrlDecoder().decode(parts[2]));
      assertEquals(new JsonObject().put("alg", "HS256").put("typ", "JWT"), new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8)));
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      assertEquals("bench", claims.getString("sub"));
      assertEquals("read create publish", claims.getString("scope"));
      assertEquals(86_400, claims.getLong("exp") - claims.getLong("iat"));
    }
  }

  @Test
  void authOffSetsNothing() throws Exception {
    try (HubVariant.Started started = new HubVariant(null, "off").start(Files.createTempDirectory("hub-variant-test"))) {
      assertTrue(started.settings().isEmpty());
      assertNull(started.jwt());
    }
  }

  @Test
  void redisStoreStartsARedisServerOnAFreePortAndStopsIt() throws Exception {
    Path logs = Files.createTempDirectory("hub-variant-test");
    ProcessHandle redis;
    int port;
    try (HubVariant.Started started = new HubVariant("redis", null).start(logs)) {
      String url = started.settings().get("STORE");
      assertTrue(url.startsWith("redis://127.0.0.1:"), url);
      port = Integer.parseInt(url.substring("redis://127.0.0.1:".length()));
      redis = ProcessHandle.of(started.redisPid()).orElseThrow();
      assertTrue(redis.isAlive());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = new byte[7];
        assertEquals(7, s.getInputStream().readNBytes(answer, 0, 7));
        assertEquals("+PONG\r\n", new String(answer, StandardCharsets.US_ASCII));
      }
    }
    redis.onExit().get(15, TimeUnit.SECONDS);
    assertFalse(redis.isAlive());
  }
}
