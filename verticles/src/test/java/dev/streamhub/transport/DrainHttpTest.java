package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import dev.streamhub.RawHttp;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.util.Map;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A drain as a client and a load balancer see it over HTTP (README, "Draining a node"):
 * {@code /health/ready} answers 200 {@code UP}; once the drain started a keep-alive connection opened
 * before it serves nothing new (a request pipelined behind a held long-poll is refused with 503
 * {@code draining} and {@code Connection: close}, or the connection closes with it unanswered); the
 * held long-poll is answered at once with {@code next} unchanged; an SSE
 * reader of a stream on which nothing happens is told to move at once (not at its next event, nor at
 * the deadline), while a generation is still running.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainHttpTest {

  /** Reads one whole response on {@code http}: status, headers, body text. */
  private static Answer read(RawHttp http) throws IOException {
    RawHttp.Head head = http.readHead();
    return new Answer(head, new String(http.body(head).readAllBytes(), StandardCharsets.UTF_8));
  }

  /** The next response, or null when the node closed the connection instead. */
  private static Answer readOrNull(RawHttp http) throws IOException {
    try {
      return read(http);
    } catch (java.io.EOFException closed) {
      if (!closed.getMessage().endsWith(": ")) {
        throw closed;
      }
      return null;
    }
  }

  private record Answer(RawHttp.Head head, String body) {}

  @Test
  void readinessTurnsDrainingKeepAliveRequestsAreToldToCloseAndIdleReadersMoveAtOnce(Vertx vertx) throws IOException {
    // 1000 tokens at 50/s: the generation runs 20 s at the least (the test does not wait for it);
    // the drain deadline is 30 s
    Hub hub = await(TestHubs.start(vertx, new JsonObject()
        .put("demo_tokens_per_second", 50).put("demo_answer_tokens", 1000).put("demo_max_tokens", 1000)
        .put("drain_timeout_ms", 30_000)));
    try {
      HubClient client = new HubClient(vertx, hub.port());
      String held = await(client.createExternalStream());
      String generated = await(client.createStream(TestHubs.chat("keep the drain busy", 4L)));
      String idle = await(client.createExternalStream());
      HubClient.LiveSse idleReader = await(client.openSse("/v1/streams/" + idle + "/events", MultiMap.caseInsensitiveMultiMap()));
      await(idleReader.until(frames -> !frames.isEmpty()));

      try (RawHttp keepAlive = RawHttp.connect(hub.port(), 64 * 1024)) {
        keepAlive.send("GET", "/health/ready", Map.of(), null);
        Answer ready = read(keepAlive);
        assertEquals(200, ready.head().status());
        assertEquals(new JsonObject().put("status", "UP"), new JsonObject(ready.body()));
        // on the same keep-alive connection: a held long-poll, and pipelined behind it a request
        // that reaches the node while it drains
        keepAlive.send("GET", "/v1/streams/" + held + "/poll?timeout=30&from=0", Map.of(), null);
        keepAlive.send("GET", "/v1/models", Map.of(), null);
        await(TestHubs.eventually(vertx, 10, 1000, () -> Future.succeededFuture(hub.stats().connections("long_poll") == 1)));

        Future<Void> drained = hub.drain();

        // nothing is ever published to the idle stream: only the drain can end its reader, and at once
        List<SseFrame> frames = await(idleReader.ended());
        assertFalse(await(hub.log().meta(generated)).finished(), "the reader was told before the generation ended");
        SseFrame last = frames.get(frames.size() - 1);
        assertEquals("reconnect", last.event(), last.raw());
        assertNull(last.id());
        JsonObject notice = new JsonObject(last.data());
        assertEquals("draining", notice.getString("code"));
        assertEquals(0L, notice.getLong("next"));

        Answer poll = read(keepAlive);
        assertEquals(200, poll.head().status(), poll.body());
        assertEquals(new JsonObject().put("events", new JsonArray()).put("next", 0).put("done", false), new JsonObject(poll.body()));
        // the pipelined request is never served: Vert.x closes the connection once the response in
        // progress ended (HTTP/1.1 lets a server close with pipelined requests unanswered; clients
        // retry them elsewhere), or, when the node reads it first, 503 draining with Connection: close
        Answer after = readOrNull(keepAlive);
        if (after != null) {
          assertEquals(503, after.head().status(), after.body());
          assertEquals("close", after.head().header("Connection"));
          assertEquals("draining", new JsonObject(after.body()).getJsonObject("error").getString("code"));
          assertEquals(-1, keepAlive.in().read(), "the node closed the connection after Connection: close");
        }

        assertFalse(drained.isComplete(), "the drain waits for the generation (DrainTest sees it to its end)");
      }
    } finally {
      await(hub.stop());
    }
  }
}
