package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.config.ConfigException;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code transports}: a reading transport turned off answers 404 {@code transport_disabled}; the others still serve. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportGateTest {

  @Test
  void onlyLongPollServedRefusesSseAndTheWebSocketUpgradeWithTransportDisabled(Vertx vertx) {
    Hub hub = await(TestHubs.start(vertx, new JsonObject().put("transports", "poll").put("demo_answer_tokens", 5)));
    HubClient client = new HubClient(vertx, hub.port());
    WebSocketClient ws = vertx.createWebSocketClient();
    try {
      String stream = await(client.createStream(TestHubs.chat("gated", 1L)));

      JsonObject sse = disabled(await(client.get("/v1/streams/" + stream + "/events")));
      assertEquals("the sse transport is turned off on this node (transports=poll)", sse.getString("message"));
      Throwable refused = assertThrows(Exception.class, () -> await(ws.connect(WsReader.target(hub.port()))));
      UpgradeRejectedException upgrade = assertInstanceOf(UpgradeRejectedException.class, refused.getCause() == null ? refused : refused.getCause());
      assertEquals(404, upgrade.getStatus());
      assertEquals("transport_disabled", new JsonObject(upgrade.getBody()).getJsonObject("error").getString("code"));

      HttpResponse<Buffer> poll = await(client.get("/v1/streams/" + stream + "/poll?from=0&timeout=5"));
      assertEquals(200, poll.statusCode(), poll.bodyAsString());
      assertEquals(0L, poll.bodyAsJsonObject().getJsonArray("events").getJsonObject(0).getLong("offset"));
      // publishing with POST on the SSE path is not a transport: an unknown stream is still stream_not_found
      HttpResponse<Buffer> publish = await(client.post("/v1/streams/st_AAAAAAAAAAAAAAAAAAAAAA/events", Buffer.buffer("{\"type\":\"delta\"}")));
      assertEquals("stream_not_found", publish.bodyAsJsonObject().getJsonObject("error").getString("code"), publish.bodyAsString());
    } finally {
      await(ws.close());
      await(hub.stop());
    }
  }

  @Test
  void theDefaultServesAllThreeAndAnUnknownNameStopsTheStart() {
    assertEquals(Set.of("ws", "sse", "poll"), HubConfig.of(new JsonObject()).http().transports());
    assertEquals(Set.of("ws", "poll"), HubConfig.of(new JsonObject().put("transports", "ws, poll")).http().transports());
    String message = assertThrows(ConfigException.class, () -> HubConfig.of(new JsonObject().put("transports", "ws,pigeon"))).getMessage();
    assertTrue(message.contains("(transports)") && message.contains("'ws,pigeon'"), message);
  }

  private static JsonObject disabled(HttpResponse<Buffer> response) {
    assertEquals(404, response.statusCode(), response.bodyAsString());
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertEquals("transport_disabled", error.getString("code"), response.bodyAsString());
    return error;
  }
}
