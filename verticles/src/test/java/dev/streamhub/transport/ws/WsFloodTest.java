package dev.streamhub.transport.ws;

import static dev.streamhub.transport.ws.Rfc6455Test.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that floods pings and never reads costs the hub its write queue, not what it sends: once
 * the socket's write queue is full the hub stops reading it, so the client's own writes stall; a
 * neighbour's pings are answered meanwhile; and once the client reads, every ping gets its answer,
 * in order. WebSocket pings (control frames, answered by Vert.x) and JSON {@code ping} messages.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WsFloodTest {

  private static final int WRITE_QUEUE = 16 * 1024;
  private static final int SEND_BUFFER = 4 * 1024;
  private static final int RECEIVE_BUFFER = 4 * 1024;
  /** The client stopped writing when its written count did not move for this long. */
  private static final long STALL_MS = 1500;

  private Hub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("http_write_queue_bytes", WRITE_QUEUE)
        .put("http_send_buffer_bytes", SEND_BUFFER)
        .put("ws_ping_interval_ms", 60_000)
        .put("ws_idle_timeout_ms", 120_000)));
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  @Test
  void jsonPingsFromAClientThatDoesNotReadStallAtItsWriteQueue() throws Exception {
    int pings = 100_000;
    try (Rfc6455Test.WsRaw flood = Rfc6455Test.WsRaw.open(hub.port(), RECEIVE_BUFFER)) {
      long before = hub.stats().streamBytesWritten();
      Writer writer = Writer.start(flood, pings, i -> frame(true, 0, 0x1, ("{\"type\":\"ping\",\"id\":\"" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
      writer.awaitStall();
      long held = hub.stats().streamBytesWritten() - before;
      assertFalse(writer.done(), "the hub read all " + pings + " pings from a client that reads nothing (answers queued: " + held + " bytes)");
      long pong = "{\"type\":\"pong\",\"id\":\"99999\"}".length();
      assertTrue(held <= WRITE_QUEUE + 2 * SEND_BUFFER + 2 * RECEIVE_BUFFER + 64 * pong,
          "the hub queued " + held + " bytes of answers for a client that reads nothing");
      assertNeighbourAnswered();

      for (int i = 0; i < pings; i++) {
        assertEquals("{\"type\":\"pong\",\"id\":\"" + i + "\"}", flood.nextText());
      }
      writer.awaitDone();
    }
  }

  @Test
  void webSocketPingsFromAClientThatDoesNotReadStallAtItsWriteQueue() throws Exception {
    // 125-byte pings, about 26 MB in all: more than any kernel buffer between the two could take
    int pings = 200_000;
    byte[] payload = new byte[125];
    try (Rfc6455Test.WsRaw flood = Rfc6455Test.WsRaw.open(hub.port(), RECEIVE_BUFFER)) {
      Writer writer = Writer.start(flood, pings, i -> {
        payload[0] = (byte) (i >> 16);
        payload[1] = (byte) (i >> 8);
        payload[2] = (byte) i;
        return frame(true, 0, 0x9, payload);
      });
      writer.awaitStall();
      assertFalse(writer.done(), "the hub read all " + pings + " pings (" + 131L * pings + " bytes) from a client that reads nothing");
      assertNeighbourAnswered();

      for (long i = 0; i < pings; i++) {
        Rfc6455Test.RawFrame pong = flood.next();
        assertEquals(0xA, pong.opcode(), "frame " + i);
        assertEquals(i & 0xffffff, ((pong.payload()[0] & 0xff) << 16) | ((pong.payload()[1] & 0xff) << 8) | (pong.payload()[2] & 0xff), "pong " + i);
      }
      writer.awaitDone();
    }
  }

  /** Another socket on the same hub gets its JSON pings answered, each within 2 s, while the flood is held. */
  private void assertNeighbourAnswered() throws IOException {
    try (Rfc6455Test.WsRaw neighbour = Rfc6455Test.WsRaw.open(hub.port())) {
      for (int i = 0; i < 20; i++) {
        long start = System.nanoTime();
        neighbour.write(frame(true, 0, 0x1, ("{\"type\":\"ping\",\"id\":\"n" + i + "\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals("{\"type\":\"pong\",\"id\":\"n" + i + "\"}", neighbour.nextText());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 2000, "the neighbour's ping took " + ms + " ms");
      }
    }
  }

  /** Writes frames on its own thread in batches of 64; counts the frames fully written. */
  private static final class Writer {
    private final AtomicLong written = new AtomicLong();
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    /** One element per batch written; {@link #awaitStall} waits on it. */
    private final java.util.concurrent.BlockingQueue<Boolean> progress = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread thread;
    private final int total;

    private Writer(Rfc6455Test.WsRaw ws, int total, java.util.function.IntFunction<byte[]> frames) {
      this.total = total;
      this.thread = new Thread(() -> {
        try {
          for (int i = 0; i < total; i += 64) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            int n = Math.min(64, total - i);
            for (int j = 0; j < n; j++) {
              batch.writeBytes(frames.apply(i + j));
            }
            ws.write(batch.toByteArray());
            written.addAndGet(n);
            progress.offer(Boolean.TRUE);
          }
        } catch (Throwable e) {
          failed.set(e);
        }
      }, "flood-writer");
      thread.setDaemon(true);
    }

    static Writer start(Rfc6455Test.WsRaw ws, int total, java.util.function.IntFunction<byte[]> frames) throws IOException {
      ws.http().socket().setSendBufferSize(SEND_BUFFER);
      Writer writer = new Writer(ws, total, frames);
      writer.thread.start();
      return writer;
    }

    long written() {
      return written.get();
    }

    boolean done() {
      return written.get() == total;
    }

    /**
     * Waits (at most 60 s) until the writer is stuck in a write, or all was written: the writer
     * reports each batch written, and a stall is no report for {@link #STALL_MS} (a blocked socket
     * write has no other signal). Fails when the writer failed.
     */
    void awaitStall() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!done() && failed.get() == null && System.nanoTime() < deadline) {
        if (progress.poll(STALL_MS, TimeUnit.MILLISECONDS) == null) {
          break;
        }
      }
      assertTrue(failed.get() == null, String.valueOf(failed.get()));
    }

    void awaitDone() throws InterruptedException {
      thread.join(60_000);
      assertTrue(failed.get() == null, String.valueOf(failed.get()));
      assertEquals(total, written.get());
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
