package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** {@code log_format=json}: one JSON object per line, the node on every line, the stream on stream lines, no secrets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogFormatTest {

  static final String ADMIN_TOKEN = "admin-token-never-logged-123";
  static final String BRIDGE_TOKEN = "bridge-token-never-logged-456";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final List<Appender<ILoggingEvent>> saved = new ArrayList<>();
  private Logger root;

  @BeforeEach
  void json() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      saved.add(it.next());
    }
    saved.forEach(root::detachAppender);
    LogFormat.apply("json", out);
  }

  @AfterEach
  void text() {
    root.detachAndStopAllAppenders();
    saved.forEach(root::addAppender);
    LogFormat.node(LogFormat.PENDING_NODE);
  }

  private List<JsonObject> lines() {
    List<JsonObject> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(new JsonObject(line)); // fails on a line that is not one JSON object
      }
    }
    return lines;
  }

  private static String node(JsonObject line) {
    return line.getJsonObject("context").getJsonObject("properties").getString(LogFormat.NODE_PROPERTY);
  }

  @Test
  void everyLineIsOneJsonObjectWithTheNodeAndStreamLinesCarryTheStream() {
    LogFormat.node("node-1");
    org.slf4j.Logger log = LoggerFactory.getLogger("dev.streamhub.test");
    log.atWarn().addKeyValue("stream", "st_abc").log("append failed: {}", "store down");
    log.info("a line about nothing in particular\nwith a second line in the message");
    log.error("with a stack trace", new IllegalStateException("boom"));

    List<JsonObject> lines = lines();
    assertEquals(3, lines.size(), out.toString(StandardCharsets.UTF_8));
    lines.forEach(line -> assertEquals("node-1", node(line), line.encode()));
    JsonObject stream = lines.get(0);
    assertEquals("WARN", stream.getString("level"));
    assertEquals("dev.streamhub.test", stream.getString("loggerName"));
    assertEquals("append failed: store down", stream.getString("formattedMessage"));
    assertEquals(new JsonArray().add(new JsonObject().put("stream", "st_abc")), stream.getJsonArray("kvpList"));
    assertTrue(stream.getLong("timestamp") > 0);
    assertEquals("a line about nothing in particular\nwith a second line in the message", lines.get(1).getString("formattedMessage"));
    assertEquals("boom", lines.get(2).getJsonObject("throwable").getString("message"));
  }

  @Test
  void aHubWithSecretsNeverLogsThem() {
    JsonObject secrets = new JsonObject().put("admin_token", ADMIN_TOKEN).put("bridge_token", BRIDGE_TOKEN);
    HubConfig config = TestHubs.config(secrets);
    LoggerFactory.getLogger("dev.streamhub.test").info("config: {}", config);
    Vertx vertx = Vertx.vertx();
    try {
      Hub hub = TestHubs.start(vertx, secrets).await();
      HubClient client = new HubClient(vertx, hub.port());
      // a wrong admin token, the right one, and a token in a query string
      client.web().post(hub.port(), "127.0.0.1", "/admin/drain").putHeader("Authorization", "Bearer wrong-" + ADMIN_TOKEN).send().await();
      client.web().post(hub.port(), "127.0.0.1", "/admin/drain").putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send().await();
      client.web().post(hub.port(), "127.0.0.1", "/admin/undrain").putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send().await();
      client.get("/v1/streams/st_missing/events?token=" + ADMIN_TOKEN).await();
    } finally {
      vertx.close().await();
    }
    String all = out.toString(StandardCharsets.UTF_8);
    assertTrue(all.contains("admin drain of node"), "the admin calls are logged: " + all);
    assertTrue(all.contains("adminToken=***"), all);
    assertFalse(all.contains(ADMIN_TOKEN), all);
    assertFalse(all.contains(BRIDGE_TOKEN), all);
    lines(); // every line parses
  }
}
