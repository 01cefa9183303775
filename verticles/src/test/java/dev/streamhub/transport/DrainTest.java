package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Graceful drain of one node ({@link Hub#drain()}, what SIGTERM runs): readers that can resume are
 * told to reconnect at once (SSE {@code reconnect} event then the end of the response, WebSocket
 * close 1012, a held long-poll answered), new connections are refused, generations in flight run to
 * their end, and OpenAI-format streams (whose clients cannot resume) run until the deadline.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainTest {

  /** 50 tokens/s and 100-token answers: a generation takes about 2 s. */
  private static JsonObject slowDemo(long drainTimeoutMs, int answerTokens) {
    return new JsonObject()
        .put("demo_tokens_per_second", 50)
        .put("demo_answer_tokens", answerTokens)
        .put("drain_timeout_ms", drainTimeoutMs);
  }

  private static List<Long> range(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  @Test
  void drainTellsEveryReaderToReconnectRefusesNewConnectionsAndLetsTheGenerationFinish(Vertx vertx, VertxTestContext ctx) {
    Hub[] hub = new Hub[1];
    HubClient[] client = new HubClient[1];
    TestHubs.start(vertx, slowDemo(20_000, 100)).compose(started -> {
      hub[0] = started;
      client[0] = new HubClient(vertx, started.port());
      return client[0].createStream(TestHubs.chat("drain me", 7L));
    }).compose(stream -> client[0].createStream(new JsonObject().put("publisher", "external")).compose(idle -> {
      HubClient c = client[0];
      Future<HubClient.LiveSse> sse = c.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap());
      Future<WsReader> ws = WsReader.open(vertx, hub[0].port(), stream);
      // nothing is published to the external stream, so this poll is held until something answers it
      Future<JsonObject> heldPoll = c.get("/v1/streams/" + idle + "/poll?from=0&timeout=30").map(resp -> {
        assertEquals(200, resp.statusCode(), resp.bodyAsString());
        return resp.bodyAsJsonObject();
      });
      return Future.all(sse, ws).compose(open -> Future.all(
              sse.result().until(frames -> SseFrame.events(frames).size() >= 5),
              ws.result().until(5))
          .compose(reading -> TestHubs.delay(vertx, 100))
          .compose(reading -> {
            long start = System.nanoTime();
            Future<Void> drained = hub[0].drain();
            return Future.all(sse.result().ended(), ws.result().closed(), heldPoll).compose(told -> {
              // native SSE: the events in order from 0, then one reconnect event naming the next offset, then the end
              List<SseFrame> frames = sse.result().ended().result();
              List<SseFrame> events = SseFrame.events(frames).stream().filter(f -> f.id() != null).toList();
              SseFrame last = SseFrame.events(frames).get(SseFrame.events(frames).size() - 1);
              assertEquals(range(0, events.size()), SseFrame.offsets(events));
              assertEquals("reconnect", last.event(), last.raw());
              assertNull(last.id(), "no id, so Last-Event-ID stays the last event's offset");
              JsonObject notice = new JsonObject(last.data());
              assertEquals("draining", notice.getString("code"));
              assertEquals(events.size(), notice.getLong("next"));
              assertTrue(events.size() < 101, "the reader was let go before the generation ended");
              // WebSocket: 1012 (service restart) after contiguous events
              assertEquals((short) 1012, ws.result().closed().result());
              assertEquals(range(0, ws.result().offsets().size()), ws.result().offsets());
              // the held long-poll: answered at once, nothing lost, same offset next time
              assertEquals(new JsonObject().put("events", new JsonArray()).put("next", 0).put("done", false), heldPoll.result());
              assertTrue(hub[0].draining());
              return refused(vertx, hub[0].port())
                  .compose(v -> drained)
                  .map(v -> (System.nanoTime() - start) / 1_000_000);
            }).compose(drainMs -> hub[0].log().read(stream, 0, 1000).map(log -> {
              // the generation ran to its end, and the drain did not wait for its 20 s deadline
              List<Event> all = log.events();
              assertEquals(EventType.DONE, all.get(all.size() - 1).type());
              assertEquals(range(0, all.size()), all.stream().map(Event::offset).toList());
              assertTrue(drainMs < 18_000, "drained in " + drainMs + " ms, not at the 20 s deadline");
              return null;
            }));
          }));
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anOpenAiStreamRunsToItsEndDuringTheDrain(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx, slowDemo(20_000, 60)).compose(hub -> {
      HubClient client = new HubClient(vertx, hub.port());
      JsonObject body = TestHubs.chat("finish me", 3L).put("stream", true);
      MultiMap json = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
      return client.openSse(HttpMethod.POST, "/v1/chat/completions", json, body.toBuffer()).compose(live ->
          live.until(frames -> frames.stream().filter(SseFrame::isEvent).count() >= 3)
              .compose(started -> {
                Future<Void> drained = hub.drain();
                return live.ended().compose(frames -> drained.map(frames));
              })).map(frames -> {
                List<String> data = frames.stream().filter(SseFrame::isEvent).map(SseFrame::data).toList();
                assertEquals("[DONE]", data.get(data.size() - 1));
                assertFalse(data.stream().anyMatch(d -> d.contains("\"error\"")), data.toString());
                return null;
              });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void atTheDeadlineUnfinishedGenerationsEndWithWorkerLostAndOpenAiStreamsWithDraining(Vertx vertx, VertxTestContext ctx) {
    // 500 tokens at 50/s would take 10 s; the drain gives 1.5 s
    TestHubs.start(vertx, slowDemo(1500, 500)).compose(hub -> {
      HubClient client = new HubClient(vertx, hub.port());
      return client.createStream(TestHubs.chat("too long", 5L))
          .compose(generated -> client.createStream(new JsonObject().put("publisher", "external")).compose(external ->
              client.openSse("/v1/streams/" + external + "/events?format=openai", MultiMap.caseInsensitiveMultiMap())
                  .compose(openAi -> TestHubs.delay(vertx, 200).compose(v -> {
                    long start = System.nanoTime();
                    return hub.drain().map(v2 -> (System.nanoTime() - start) / 1_000_000)
                        .compose(drainMs -> openAi.ended().compose(frames -> hub.log().read(generated, 0, 1000).map(log -> {
                          // the external stream's OpenAI reader is let go at the deadline, with a clear code
                          List<SseFrame> events = frames.stream().filter(SseFrame::isEvent).toList();
                          assertEquals(1, events.size(), events.toString());
                          assertEquals("draining", new JsonObject(events.get(0).data()).getJsonObject("error").getString("code"));
                          // the generation was ended before the deadline, so its readers learned why
                          Event last = log.events().get(log.events().size() - 1);
                          assertEquals(EventType.ERROR, last.type(), last.wire());
                          assertEquals("worker_lost", last.data().getString("code"));
                          assertTrue(log.events().size() < 400, "stopped early: " + log.events().size() + " events");
                          // not before the deadline; and before the generation could have finished on its own
                          // (500 tokens at 50/s: 10 s at the least, more on a loaded machine)
                          assertTrue(drainMs >= 1400 && drainMs < 10_000, "drained in " + drainMs + " ms");
                          return null;
                        })));
                  }))));
    }).onComplete(ctx.succeedingThenComplete());
  }

  /** A new TCP connection to a draining node is refused. */
  private static Future<Void> refused(Vertx vertx, int port) {
    HttpClient fresh = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000));
    return fresh.request(HttpMethod.GET, port, "127.0.0.1", "/health/ready")
        .compose(req -> req.send())
        .transform(ar -> {
          fresh.close();
          if (ar.succeeded()) {
            return Future.failedFuture(new AssertionError("a draining node accepted a new connection: " + ar.result().statusCode()));
          }
          if (!(ar.cause() instanceof java.net.ConnectException)) {
            return Future.failedFuture(new AssertionError("expected the connection to be refused, got " + ar.cause()));
          }
          return Future.succeededFuture();
        });
  }

  /** A WebSocket subscribed to one stream: the offsets received and the close code. */
  private static final class WsReader {
    private final WebSocketClient client;
    private final List<Long> offsets = new ArrayList<>();
    private final Promise<Short> closed = Promise.promise();
    private int wanted = Integer.MAX_VALUE;
    private Promise<Void> reached;

    private WsReader(WebSocketClient client, WebSocket ws) {
      this.client = client;
      ws.textMessageHandler(text -> onMessage(new JsonObject(text)));
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    }

    static Future<WsReader> open(Vertx vertx, int port, String stream) {
      WebSocketClient client = vertx.createWebSocketClient();
      return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws")).map(ws -> {
        WsReader reader = new WsReader(client, ws);
        ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
        return reader;
      });
    }

    private synchronized void onMessage(JsonObject message) {
      if (message.containsKey("offset")) {
        offsets.add(message.getLong("offset"));
        if (reached != null && offsets.size() >= wanted) {
          reached.tryComplete();
        }
      }
    }

    synchronized Future<Void> until(int count) {
      if (offsets.size() >= count) {
        return Future.succeededFuture();
      }
      wanted = count;
      reached = Promise.promise();
      return reached.future();
    }

    synchronized List<Long> offsets() {
      return List.copyOf(offsets);
    }

    Future<Short> closed() {
      return closed.future();
    }
  }
}
