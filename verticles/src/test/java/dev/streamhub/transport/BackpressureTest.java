package dev.streamhub.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.RawHttp;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that reads one byte at a time costs the hub a bounded number of bytes and slows nobody
 * else: its write queue fills, the hub stops pushing, and catches up from the log when the socket
 * drains. The slow client is a raw socket with a small receive buffer read on the test thread. The
 * bound is asserted on what the hub itself holds ({@link EdgeStats#streamBytesHeld()}: handed to the
 * connection, not yet taken by the kernel socket), never on kernel buffers, which autotune with the
 * machine's load; "slows nobody else" is asserted as an order (the normal client is done before the
 * slow one has read half its stream), not as a wall-clock time.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackpressureTest {

  private static final int WRITE_QUEUE = 16 * 1024;
  private static final int SEND_BUFFER = 4 * 1024;
  private static final int RECEIVE_BUFFER = 4 * 1024;
  /** Linux doubles SO_SNDBUF and SO_RCVBUF (for its bookkeeping); the payload they hold stays under that. */
  private static final int KERNEL_BUFFERS = 2 * SEND_BUFFER + 2 * RECEIVE_BUFFER;
  /** The event that crosses the write queue's high-water mark, with room to spare. */
  private static final int ONE_EVENT = 4 * 1024;

  /** About 5.6 MB of events (4.5 MB over WebSocket), generated in under a second while the slow client reads. */
  private static final int TOKENS = 40_000;
  private static final int NORMAL_TOKENS = 5_000;
  /** One byte at a time: this much alone, then while the normal client reads, then this much more alone. */
  private static final int SLOW_BEFORE_NORMAL = 32 * 1024;
  private static final int SLOW_AFTER_ALL_LOGGED = 128 * 1024;
  /** How often the slow client compares what the hub wrote with what it read. */
  private static final int SAMPLE_EVERY = 256;

  private final List<Hub> hubs = new ArrayList<>();

  @AfterEach
  void stopHubs() {
    hubs.forEach(hub -> TransportConformanceTest.await(hub.stop()));
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"SSE", "WS"})
  void aClientReadingOneByteAtATimeGetsEveryOffsetWhileTheHubHoldsBoundedBytesForIt(Transport transport, Vertx vertx)
      throws IOException {
    Hub hub = hub(vertx);
    HubClient client = new HubClient(vertx, hub.port());
    String slowStream = await(client.createStream(TestHubs.chat("slow reader", 1L)));
    Future<Void> slowLogged = TestHubs.eventually(vertx, 20, 1_000, () -> hub.log().meta(slowStream).map(StreamMeta::finished));
    assertEquals(0, hub.stats().streamBytesWritten(), "nothing streamed before the slow client");

    try (RawHttp http = RawHttp.connect(hub.port(), RECEIVE_BUFFER)) {
      SlowStream slow = transport == Transport.SSE ? SseStream.open(http, slowStream) : WsStream.open(http, slowStream);
      // what the hub holds (handed to the connection, not yet taken by the kernel) is what it bounds
      long cap = WRITE_QUEUE + ONE_EVENT;
      // hub plus kernel buffers: printed, not asserted (loopback buffers autotune with the machine's load)
      long endToEndCap = WRITE_QUEUE + KERNEL_BUFFERS + ONE_EVENT;
      long maxEndToEnd = 0;
      NormalReader normal = null;
      long readAtNormalDone = -1;
      long readAtSlowLogged = -1;
      long readWhenAllLogged = -1;
      long read = 0;
      long maxAlone = 0;
      long maxWithNormal = 0;
      int aloneSamples = 0;

      while (readWhenAllLogged < 0 || read < readWhenAllLogged + SLOW_AFTER_ALL_LOGGED) {
        if (normal == null && read >= SLOW_BEFORE_NORMAL) {
          normal = NormalReader.start(vertx, hub.port(), await(client.createStream(TestHubs.chat("normal reader", 2L)
              .put("max_tokens", NORMAL_TOKENS))));
        }
        if (normal != null && normal.done && readAtNormalDone < 0) {
          readAtNormalDone = read;
        }
        if (readAtSlowLogged < 0 && slowLogged.isComplete()) {
          readAtSlowLogged = read;
        }
        if (readAtNormalDone >= 0 && readAtSlowLogged >= 0 && readWhenAllLogged < 0) {
          readWhenAllLogged = read;
        }
        if (slow.read() < 0) {
          break;
        }
        read++;
        if (read % SAMPLE_EVERY == 0) {
          // alone: the normal client has not started, or it is done AND its connection is gone from
          // the hub's count (until then the hub may still hold its last chunk for a moment)
          boolean alone = normal == null || (normal.done && hub.stats().connections() == 1);
          long inFlight = hub.stats().streamBytesHeld();
          maxEndToEnd = Math.max(maxEndToEnd, hub.stats().streamBytesWritten() - read - (normal == null ? 0 : normal.bytes.get()));
          if (alone) {
            assertTrue(inFlight <= cap, "bytes the hub holds for the slow client " + inFlight + " > cap " + cap + " after " + read + " bytes");
            maxAlone = Math.max(maxAlone, inFlight);
            aloneSamples++;
          } else {
            assertTrue(inFlight <= 2 * cap, "bytes the hub holds for both clients " + inFlight + " > " + 2 * cap);
            maxWithNormal = Math.max(maxWithNormal, inFlight);
          }
        }
      }
      StreamMeta slowMeta = await(hub.log().meta(slowStream));
      long slowPhaseBytes = read;
      long total = read + slow.readRest();

      assertEquals(range(0, TOKENS + 1), slow.offsets(), "every offset, in order, once");
      assertEquals(TOKENS + 2, slowMeta.nextOffset(), "the whole stream was logged during the slow phase: " + slowMeta);
      assertTrue(readAtSlowLogged >= 0 && readAtSlowLogged < total / 2, "the hub held most of the stream in the log, not in memory for the client: all logged when it had read "
          + readAtSlowLogged + " of " + total + " bytes");
      assertTrue(aloneSamples > (SLOW_BEFORE_NORMAL + SLOW_AFTER_ALL_LOGGED) / SAMPLE_EVERY - 2, "samples: " + aloneSamples);
      assertTrue(normal != null && normal.done, "the normal client finished during the slow phase");
      assertEquals(range(0, NORMAL_TOKENS + 1), SseFrame.offsets(SseFrame.parseAll(await(normal.ended.future()))));
      long normalMs = (normal.doneAt - normal.startedAt) / 1_000_000;
      assertTrue(readAtNormalDone < total / 2, "the normal client did not wait for the slow one: done when the slow one had "
          + readAtNormalDone + " of " + total + " bytes");
      assertEquals(total + normal.bytes.get(), hub.stats().streamBytesWritten(), "the stats count exactly what the clients read");
      System.out.printf("%s backpressure: cap %d, max held alone %d (%d samples), with the normal client %d;"
              + " hub + kernel buffers max %d (about %d expected);"
              + " stream logged when read %d; slow phase %d of %d bytes; normal client %d bytes in %d ms, done when the slow one had %d bytes%n",
          transport, cap, maxAlone, aloneSamples, maxWithNormal, maxEndToEnd, endToEndCap, readAtSlowLogged, slowPhaseBytes, total, normal.bytes.get(), normalMs,
          readAtNormalDone);
    }
  }

  private Hub hub(Vertx vertx) {
    JsonObject config = new JsonObject()
        .put("http_write_queue_bytes", WRITE_QUEUE)
        .put("http_send_buffer_bytes", SEND_BUFFER)
        .put("demo_tokens_per_second", 100_000)
        .put("demo_answer_tokens", TOKENS)
        .put("demo_max_tokens", TOKENS)
        .put("ws_ping_interval_ms", 3_600_000)
        .put("ws_idle_timeout_ms", 3_600_000);
    Hub hub = await(TestHubs.start(vertx, config));
    hubs.add(hub);
    return hub;
  }

  private static List<Long> range(long from, long toInclusive) {
    return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
  }

  private static <T> T await(Future<T> future) {
    return TransportConformanceTest.await(future);
  }

  /** The slow client's view of one stream: the bytes the hub counts (SSE text, WebSocket message payloads). */
  private interface SlowStream {

    /** One byte, with one read on the socket; -1 after the stream's last event. */
    int read() throws IOException;

    /** Reads the rest in bulk; returns how many bytes that was. */
    long readRest() throws IOException;

    /** The offsets of every event read. */
    List<Long> offsets();
  }

  /** {@code GET /v1/streams/{id}/events} on the raw socket: the SSE text, de-chunked. */
  private static final class SseStream implements SlowStream {
    private final InputStream body;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();

    private SseStream(InputStream body) {
      this.body = body;
    }

    static SseStream open(RawHttp http, String stream) throws IOException {
      RawHttp.Head head = http.send("GET", "/v1/streams/" + stream + "/events", Map.of(), null).readHead();
      assertEquals(200, head.status());
      return new SseStream(http.body(head));
    }

    @Override
    public int read() throws IOException {
      int b = body.read();
      if (b >= 0) {
        text.write(b);
      }
      return b;
    }

    @Override
    public long readRest() throws IOException {
      byte[] rest = body.readAllBytes();
      text.write(rest);
      return rest.length;
    }

    @Override
    public List<Long> offsets() {
      return SseFrame.offsets(SseFrame.parseAll(text.toString(StandardCharsets.UTF_8)));
    }
  }

  /**
   * {@code /v1/ws} on the raw socket: the upgrade, a masked {@code stream.subscribe}, then the
   * payloads of the hub's text frames (headers are read but not counted, as the hub does not count
   * them either).
   */
  private static final class WsStream implements SlowStream {
    private final InputStream socket;
    private InputStream in;
    private final List<JsonObject> events = new ArrayList<>();
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private long payloadLeft;
    private boolean lastFrame;
    private boolean ended;

    private WsStream(InputStream socket) {
      this.socket = socket;
      this.in = socket;
    }

    static WsStream open(RawHttp http, String stream) throws IOException {
      RawHttp.Head head = http.send("GET", "/v1/ws", Map.of(
          "Upgrade", "websocket",
          "Connection", "Upgrade",
          "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Version", "13"), null).readHead();
      assertEquals(101, head.status());
      http.out().write(maskedText(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode()));
      http.out().flush();
      return new WsStream(http.in());
    }

    @Override
    public int read() throws IOException {
      while (payloadLeft == 0) {
        if (ended) {
          return -1;
        }
        readFrameHeader();
      }
      int b = next();
      message.write(b);
      if (--payloadLeft == 0 && lastFrame) {
        onMessage();
      }
      return b;
    }

    @Override
    public long readRest() throws IOException {
      in = new BufferedInputStream(socket, 64 * 1024);
      long n = 0;
      while (read() >= 0) {
        n++;
      }
      return n;
    }

    @Override
    public List<Long> offsets() {
      return events.stream().map(e -> e.getLong("offset")).collect(Collectors.toList());
    }

    /** Reads a frame header; control frames (pings) are read whole and skipped, the hub does not count them. */
    private void readFrameHeader() throws IOException {
      int first = next();
      int second = next();
      int opcode = first & 0x0F;
      long length = second & 0x7F;
      if (length == 126) {
        length = (next() << 8) | next();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | next();
        }
      }
      assertEquals(0, second & 0x80, "frames from the hub are not masked");
      if (opcode == 0x8) {
        throw new AssertionError("the hub closed the socket");
      }
      if (opcode >= 0x8) {
        for (long i = 0; i < length; i++) {
          next();
        }
        return;
      }
      assertTrue(opcode == 0x1 || opcode == 0x0, "text frames only, got opcode " + opcode);
      payloadLeft = length;
      lastFrame = (first & 0x80) != 0;
    }

    private void onMessage() {
      JsonObject json = new JsonObject(message.toString(StandardCharsets.UTF_8));
      message.reset();
      if (!json.containsKey("offset")) {
        throw new AssertionError("unexpected message: " + json);
      }
      events.add(json);
      String type = json.getString("type");
      ended = type.equals("done") || type.equals("error") || type.equals("cancelled");
    }

    private int next() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the hub closed the connection");
      }
      return b;
    }

    private static byte[] maskedText(String text) {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] mask = {0x12, 0x34, 0x56, 0x78};
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x81);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else {
        frame.write(0x80 | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xFF);
      }
      frame.write(mask, 0, 4);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      return frame.toByteArray();
    }
  }

  /** A client reading another stream as fast as it can (Vert.x HttpClient), counting its bytes as they arrive. */
  private static final class NormalReader {
    final AtomicLong bytes = new AtomicLong();
    final Promise<String> ended = Promise.promise();
    final long startedAt = System.nanoTime();
    volatile long doneAt;
    volatile boolean done;
    private final Buffer body = Buffer.buffer();
    /** Held so the client stays reachable: Vert.x closes a client the garbage collector finds unreferenced. */
    private HttpClient http;

    static NormalReader start(Vertx vertx, int port, String stream) {
      NormalReader reader = new NormalReader();
      reader.http = vertx.createHttpClient(new HttpClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(port).setReceiveBufferSize(RECEIVE_BUFFER));
      TestHubs.onContext(vertx, () -> reader.http.request(HttpMethod.GET, "/v1/streams/" + stream + "/events")
          .compose(HttpClientRequest::send)
          .onSuccess(resp -> {
            resp.handler(chunk -> {
              reader.body.appendBuffer(chunk);
              reader.bytes.addAndGet(chunk.length());
            });
            resp.endHandler(v -> {
              reader.doneAt = System.nanoTime();
              reader.done = true;
              reader.ended.tryComplete(reader.body.toString(StandardCharsets.UTF_8));
            });
            resp.exceptionHandler(reader.ended::tryFail);
          }))
          .onFailure(reader.ended::tryFail);
      return reader;
    }
  }
}
