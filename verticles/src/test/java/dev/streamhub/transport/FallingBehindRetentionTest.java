package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reader that falls behind retention in the middle of a stream is never skipped forward in
 * silence (README, "Resuming and retention"): it stops reading while {@code log_max_events_per_stream}
 * trims the log past its position, and when it reads again it gets contiguous offsets from where it
 * started, then exactly one terminal {@code offset_expired}, and nothing after it, on every transport.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallingBehindRetentionTest {

  private static final int KEEP = 20;
  /** Events read before the reader stops reading. */
  private static final int READ_FIRST = 5;
  /** Published while the reader does not read: far more bytes than every buffer between hub and reader. */
  private static final int BEHIND = 600;
  private static final int BATCH = 50;
  private static final String TEXT = "x".repeat(2048);

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> await(hub.stop()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aReaderThatFellBehindRetentionGetsContiguousOffsetsThenOneOffsetExpired(Transport transport, Vertx vertx) {
    Hub hub = await(TestHubs.start(vertx, new JsonObject()
        .put("log_max_events_per_stream", KEEP)
        .put("http_write_queue_bytes", 16 * 1024)
        .put("http_send_buffer_bytes", 4 * 1024)
        .put("http_max_body_bytes", 1 << 20)
        .put("ws_ping_interval_ms", 3_600_000)
        .put("ws_idle_timeout_ms", 3_600_000)));
    hubs.add(hub);
    HubClient publisher = new HubClient(vertx, hub.port());
    String stream = await(publisher.createExternalStream());
    await(publishDeltas(publisher, stream, 0, READ_FIRST));

    Reader reader = switch (transport) {
      case SSE -> new SseReader(vertx, hub.port());
      case WS -> new WsReader(vertx, hub.port());
      default -> new PollReader(vertx, hub.port());
    };
    await(reader.start(stream, READ_FIRST));
    for (long from = READ_FIRST; from < READ_FIRST + BEHIND; from += BATCH) {
      await(publishDeltas(publisher, stream, from, from + BATCH));
    }
    // the stream ends, so a reader skipped forward in silence would end too (and fail below, not time out)
    await(publisher.publish(stream, new JsonObject().put("type", "done")));
    long firstKept = READ_FIRST + BEHIND - KEEP;
    Outcome outcome = await(reader.resume());

    List<Long> offsets = outcome.offsets();
    assertTrue(offsets.size() >= READ_FIRST && offsets.size() < firstKept, "offsets before the error: " + offsets.size());
    assertEquals(LongStream.range(0, offsets.size()).boxed().collect(Collectors.toList()), offsets, "contiguous from 0");
    assertEquals(List.of("offset_expired"), outcome.errors(), "exactly one terminal error, and nothing after it");
  }

  private static Future<Void> publishDeltas(HubClient client, String stream, long from, long toExclusive) {
    JsonArray batch = new JsonArray();
    for (long i = from; i < toExclusive; i++) {
      batch.add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", TEXT)));
    }
    return client.publish(stream, batch).mapEmpty();
  }

  /** The offsets a reader received, in order, and the error codes it was told after them. */
  record Outcome(List<Long> offsets, List<String> errors) {}

  /** One transport's client that can stop reading and read again. */
  private interface Reader {
    /** Subscribes from 0 and reads {@code count} events, then stops reading (the connection stays open). */
    Future<Void> start(String stream, int count);

    /** Reads again until the transport ends the subscription. */
    Future<Outcome> resume();
  }

  /** Native SSE on a client with a small receive buffer, paused: the hub's write queue fills. */
  private static final class SseReader implements Reader {
    private final HubClient client;
    private HubClient.LiveSse live;

    SseReader(Vertx vertx, int port) {
      this.client = new HubClient(vertx, port, new HttpClientOptions().setReceiveBufferSize(4096));
    }

    @Override
    public Future<Void> start(String stream, int count) {
      return client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()).compose(sse -> {
        assertEquals(200, sse.status());
        live = sse;
        return sse.until(frames -> SseFrame.events(frames).size() >= count);
      }).map(frames -> {
        live.pause();
        return null;
      });
    }

    @Override
    public Future<Outcome> resume() {
      live.resume();
      return live.ended().map(frames -> {
        List<Long> offsets = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (SseFrame frame : SseFrame.events(frames)) {
          if ("error".equals(frame.event())) {
            assertNull(frame.id(), "an error carries no id: " + frame.raw());
            errors.add(new JsonObject(frame.data()).getJsonObject("error").getString("code"));
          } else {
            assertTrue(errors.isEmpty(), "an event after the error: " + frame.raw());
            offsets.add(frame.offset());
          }
        }
        return new Outcome(offsets, errors);
      });
    }
  }

  /** {@code /v1/ws} with {@code stream.subscribe}, paused: the hub's write queue fills. */
  private static final class WsReader implements Reader {
    private final WebSocketClient client;
    private final int port;
    private final List<Long> offsets = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final Promise<Outcome> ended = Promise.promise();
    private WebSocket ws;

    WsReader(Vertx vertx, int port) {
      this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20).setReceiveBufferSize(4096));
      this.port = port;
    }

    @Override
    public Future<Void> start(String stream, int count) {
      Promise<Void> started = Promise.promise();
      return client.connect(dev.streamhub.transport.WsReader.target(port)).compose(socket -> {
        ws = socket;
        socket.textMessageHandler(text -> {
          JsonObject message = new JsonObject(text);
          if ("error".equals(message.getString("type"))) {
            errors.add(message.getJsonObject("error").getString("code"));
            // a ping after it: whatever the hub sent for the stream after the error arrives before the pong
            ws.writeTextMessage(new JsonObject().put("type", "ping").put("id", "after-error").encode());
          } else if ("pong".equals(message.getString("type")) && "after-error".equals(message.getString("id"))) {
            ws.close();
          } else if (message.containsKey("offset")) {
            if (!errors.isEmpty()) {
              ended.tryFail(new AssertionError("an event after the error: " + text));
            }
            offsets.add(message.getLong("offset"));
            if ("done".equals(message.getString("type"))) {
              ended.tryComplete(new Outcome(List.copyOf(offsets), List.copyOf(errors)));
            }
            if (offsets.size() == count) {
              socket.pause();
              started.tryComplete();
            }
          }
        });
        socket.closeHandler(v -> ended.tryComplete(new Outcome(List.copyOf(offsets), List.copyOf(errors))));
        socket.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
        return started.future();
      });
    }

    @Override
    public Future<Outcome> resume() {
      ws.resume();
      return ended.future();
    }
  }

  /** Long-poll: "not reading" is not polling; the next poll continues from {@code next}. */
  private static final class PollReader implements Reader {
    private final HubClient client;
    private final List<Long> offsets = new ArrayList<>();
    private String stream;
    private long next;

    PollReader(Vertx vertx, int port) {
      this.client = new HubClient(vertx, port);
    }

    @Override
    public Future<Void> start(String stream, int count) {
      this.stream = stream;
      return poll().map(errors -> {
        assertEquals(List.of(), errors, "the first poll");
        assertEquals(count, offsets.size());
        return null;
      });
    }

    /** One poll from {@code next}: the error codes it was answered with, none when it got events. */
    private Future<List<String>> poll() {
      return client.get("/v1/streams/" + stream + "/poll?timeout=5&from=" + next).map(resp -> {
        JsonObject body = resp.bodyAsJsonObject();
        if (resp.statusCode() != 200) {
          assertEquals(410, resp.statusCode(), resp.bodyAsString());
          return List.of(body.getJsonObject("error").getString("code"));
        }
        body.getJsonArray("events").forEach(e -> offsets.add(((JsonObject) e).getLong("offset")));
        next = body.getLong("next");
        return body.getBoolean("done") ? List.<String>of("done") : List.<String>of();
      });
    }

    @Override
    public Future<Outcome> resume() {
      return poll().compose(errors -> errors.isEmpty() ? resume() : Future.succeededFuture(new Outcome(List.copyOf(offsets), errors)));
    }
  }
}
