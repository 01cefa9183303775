package dev.streamhub.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.RawHttp;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 6455 sections 5 to 8, every rule that says the server MUST fail the connection, over a raw
 * socket that writes the frames byte by byte: the close frame the hub sends carries the status the
 * RFC gives (1002 protocol error, 1007 invalid payload data, 1009 message too big, 7.4.1), nothing
 * is answered to the bad frame before it, and the TCP connection is closed after. Each case also has
 * its valid twin answered normally, so a test cannot pass by closing everything.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Rfc6455Test {

  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CONTINUATION = 0x0;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;
  private static final int MAX_MESSAGE = 1024;
  /** How long the hub gets to close the TCP connection once the close frames crossed (Vert.x's own closing timeout is 10 s). */
  private static final int CLOSE_WAIT_MS = 5000;

  private Hub hub;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx, new JsonObject().put("ws_max_message_bytes", MAX_MESSAGE)));
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  // ---- 8.1 and 5.6: text messages are UTF-8 ----

  @Test
  void aTextMessageThatIsNotUtf8FailsWith1007() throws IOException {
    List<byte[]> invalid = List.of(
        bytes(0xff), bytes(0xc0, 0x80) /* overlong NUL */, bytes(0xe0, 0x80, 0x80) /* overlong */,
        bytes(0xed, 0xa0, 0x80) /* a UTF-16 surrogate encoded */, bytes(0xf4, 0x90, 0x80, 0x80) /* above U+10FFFF */,
        bytes(0xce, 0x41) /* a lead byte and no continuation */, bytes(0x80) /* a lone continuation byte */);
    for (byte[] bad : invalid) {
      assertEquals(1007, failWith(frame(true, 0, TEXT, ping("x", bad))), Arrays.toString(bad));
    }
    // the message ends inside a character (its last fragment is cut after 2 of 4 bytes)
    assertEquals(1007, failWith(frame(false, 0, TEXT, "{\"type\":\"ping\",\"id\":\"".getBytes(StandardCharsets.UTF_8)),
        frame(true, 0, CONTINUATION, bytes(0xf0, 0x9f))));
    // a fragment boundary inside a character is fine when the next fragment completes it
    byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
    try (WsRaw ws = WsRaw.open(hub.port())) {
      ws.write(frame(false, 0, TEXT, concat("{\"type\":\"ping\",\"id\":\"".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(emoji, 2))));
      ws.write(frame(true, 0, CONTINUATION, concat(Arrays.copyOfRange(emoji, 2, 4), "\"}".getBytes(StandardCharsets.UTF_8))));
      assertEquals("{\"type\":\"pong\",\"id\":\"😀\"}", ws.nextText());
    }
  }

  @Test
  void anInvalidTextMessageIsNotAnsweredBeforeTheClose() throws IOException {
    try (WsRaw ws = WsRaw.open(hub.port())) {
      ws.write(frame(true, 0, TEXT, ping("bad", bytes(0xff))));
      RawFrame first = ws.next();
      assertEquals(CLOSE, first.opcode(), "the first frame after the invalid text is the close: " + first);
      assertEquals(1007, first.closeCode());
      ws.assertClosedByHub();
    }
  }

  // ---- 5.1: a client's frames are masked ----

  @Test
  void anUnmaskedFrameFailsWith1002() throws IOException {
    assertEquals(1002, failWith(unmasked(frame(true, 0, TEXT, ping("u", new byte[0])))));
  }

  // ---- 5.2: reserved bits and opcodes; minimal lengths; the 64-bit length's top bit ----

  @Test
  void reservedBitsAndOpcodesFailWith1002() throws IOException {
    for (int rsv : List.of(0x40, 0x20, 0x10)) { // RSV1 (no extension negotiated), RSV2, RSV3
      assertEquals(1002, failWith(frame(true, rsv, TEXT, ping("r", new byte[0]))), "rsv " + rsv);
    }
    for (int opcode : List.of(0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF)) {
      assertEquals(1002, failWith(frame(true, 0, opcode, new byte[0])), "opcode " + opcode);
    }
  }

  @Test
  void aLengthNotInItsMinimalFormOrWithItsTopBitSetFailsWith1002() throws IOException {
    byte[] payload = ping("l", new byte[0]);
    assertEquals(1002, failWith(withLength(TEXT, payload, 126)), "a 16-bit length for " + payload.length + " bytes");
    assertEquals(1002, failWith(withLength(TEXT, payload, 127)), "a 64-bit length for " + payload.length + " bytes");
    ByteArrayOutputStream huge = new ByteArrayOutputStream();
    huge.write(0x80 | TEXT);
    huge.write(0x80 | 127);
    huge.writeBytes(bytes(0x80, 0, 0, 0, 0, 0, 0, 0)); // the most significant bit MUST be 0
    huge.writeBytes(bytes(1, 2, 3, 4));
    assertEquals(1002, failWith(huge.toByteArray()));
  }

  // ---- 5.4: fragmentation ----

  @Test
  void aContinuationWithNothingToContinueFailsWith1002() throws IOException {
    assertEquals(1002, failWith(frame(true, 0, CONTINUATION, ping("c", new byte[0]))));
  }

  @Test
  void aNewMessageInsideAFragmentedOneFailsWith1002() throws IOException {
    assertEquals(1002, failWith(frame(false, 0, TEXT, "{\"type\":".getBytes(StandardCharsets.UTF_8)),
        frame(true, 0, TEXT, ping("n", new byte[0]))));
  }

  /**
   * Every violation is answered with its Close frame, also when the client sends it right behind the
   * handshake and many times in a row: Vert.x closed the channel as soon as it saw the exception, and
   * the Close frame the socket's handler had written was lost now and then (11 of 400 tries of the
   * first kind on a loaded machine). 60 tries per kind (up to its first miss), each kind with its status: the decoder's
   * (1002, 1009), the reserved bits and UTF-8 checks' (1002, 1007), and permessage-deflate data that
   * does not inflate (1007: RFC 7692 7.2.3 fails the connection; the data is not valid). One try
   * without its Close frame fails. On every WebSocket endpoint: {@code /v1/ws} and {@code /v1/realtime}
   * share the upgrade ({@link WsUpgrade}) and with it the checks.
   */
  @Test
  void everyViolationIsAnsweredWithItsCloseFrameEveryTime() throws IOException {
    record Kind(int status, boolean deflate, byte[][] frames) {}
    Map<String, Kind> kinds = new LinkedHashMap<>();
    kinds.put("a new message inside a fragmented one", new Kind(1002, false, new byte[][] {
        frame(false, 0, TEXT, "{\"type\":".getBytes(StandardCharsets.UTF_8)), frame(true, 0, TEXT, ping("n", new byte[0]))}));
    kinds.put("a continuation with nothing to continue", new Kind(1002, false, new byte[][] {frame(true, 0, CONTINUATION, ping("c", new byte[0]))}));
    kinds.put("a fragmented ping", new Kind(1002, false, new byte[][] {frame(false, 0, PING, new byte[4])}));
    kinds.put("a reserved bit", new Kind(1002, false, new byte[][] {frame(true, 0x20, TEXT, ping("r", new byte[0]))}));
    kinds.put("text that is not UTF-8", new Kind(1007, false, new byte[][] {frame(true, 0, TEXT, ping("x", bytes(0xff)))}));
    kinds.put("a frame over the limit", new Kind(1009, false, new byte[][] {frame(true, 0, BINARY, new byte[MAX_MESSAGE + 1])}));
    kinds.put("compressed data that does not inflate", new Kind(1007, true, new byte[][] {frame(true, 0x40, TEXT, bytes(0xff, 0xff, 0xff, 0xff, 0x01))}));
    List<String> missed = new ArrayList<>();
    for (Endpoint endpoint : Endpoint.values()) {
      for (Map.Entry<String, Kind> kind : kinds.entrySet()) {
        for (int i = 0; i < 60; i++) {
          try (WsRaw ws = endpoint.open(hub.port(), kind.getValue().deflate())) {
            for (byte[] frame : kind.getValue().frames()) {
              ws.write(frame);
            }
            int code = ws.closeCode();
            ws.assertClosedByHub();
            if (code != kind.getValue().status()) {
              missed.add(endpoint.path + " " + kind.getKey() + ": " + code);
              break; // one miss fails the kind: no more tries (each may wait for a read timeout)
            }
          } catch (IOException | AssertionError e) {
            missed.add(endpoint.path + " " + kind.getKey() + ": " + e.getMessage());
            break;
          }
        }
      }
    }
    assertEquals(List.of(), missed);
  }

  /** The WebSocket endpoints, each opened up to the point where it waits for the client's messages. */
  private enum Endpoint {
    WS("/v1/ws"),
    /** Realtime first sends {@code session.created}. */
    REALTIME("/v1/realtime?model=demo");

    private final String path;

    Endpoint(String path) {
      this.path = path;
    }

    WsRaw open(int port, boolean deflate) throws IOException {
      WsRaw ws = deflate ? WsRaw.openDeflate(port, path) : WsRaw.open(port, path, 0);
      if (this == REALTIME) {
        RawFrame greeting = ws.next();
        assertEquals(TEXT, greeting.opcode(), greeting.toString());
        if (!deflate) { // with permessage-deflate its payload is compressed
          assertEquals("session.created", new JsonObject(new String(greeting.payload(), StandardCharsets.UTF_8)).getString("type"));
        }
      }
      return ws;
    }
  }

  @Test
  void aControlFrameInsideAFragmentedMessageIsAnswered() throws IOException {
    try (WsRaw ws = WsRaw.open(hub.port())) {
      ws.write(frame(false, 0, TEXT, "{\"type\":\"ping\",".getBytes(StandardCharsets.UTF_8)));
      ws.write(frame(true, 0, PING, "between".getBytes(StandardCharsets.UTF_8)));
      ws.write(frame(true, 0, CONTINUATION, "\"id\":\"frag\"}".getBytes(StandardCharsets.UTF_8)));
      RawFrame pong = ws.next();
      assertEquals(PONG, pong.opcode());
      assertEquals("between", new String(pong.payload(), StandardCharsets.UTF_8));
      assertEquals("{\"type\":\"pong\",\"id\":\"frag\"}", ws.nextText());
    }
  }

  // ---- 5.5: control frames ----

  @Test
  void aControlFrameOver125BytesOrFragmentedFailsWith1002() throws IOException {
    assertEquals(1002, failWith(frame(true, 0, PING, new byte[126])));
    assertEquals(1002, failWith(frame(false, 0, PING, new byte[4])));
    assertEquals(1002, failWith(frame(true, 0, PONG, new byte[126])));
    try (WsRaw ws = WsRaw.open(hub.port())) {
      ws.write(frame(true, 0, PING, new byte[125]));
      RawFrame pong = ws.next();
      assertEquals(PONG, pong.opcode());
      assertEquals(125, pong.payload().length);
    }
  }

  // ---- 5.5.1 and 7.4: the close frame's body (0-999 are not used, 1004-1006 and 1015 must not be sent,
  // 1016-2999 are reserved for the protocol; 5000 and up are not defined by the RFC and not tested) ----

  @Test
  void aCloseFrameWithAOneByteBodyOrAStatusNotToBeSentFailsWith1002() throws IOException {
    assertEquals(1002, failWith(frame(true, 0, CLOSE, bytes(0x03))));
    for (int status : List.of(0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999)) {
      assertEquals(1002, failWith(frame(true, 0, CLOSE, bytes(status >> 8, status & 0xff))), "status " + status);
    }
    for (int status : List.of(1000, 1001, 1003, 1011, 3000, 4999)) {
      try (WsRaw ws = WsRaw.open(hub.port())) {
        ws.write(frame(true, 0, CLOSE, bytes(status >> 8, status & 0xff)));
        RawFrame close = ws.next();
        assertEquals(CLOSE, close.opcode(), "status " + status);
        assertTrue(close.closeCode() != 1002 && close.closeCode() != 1007, "status " + status + " answered with " + close.closeCode());
      }
    }
  }

  // ---- 7.4.1: too big ----

  @Test
  void aFrameOrMessageOverTheLimitFailsWith1009() throws IOException {
    assertEquals(1009, failWith(withLength(TEXT, new byte[0], MAX_MESSAGE + 1)));
    assertEquals(1009, failWith(frame(false, 0, TEXT, new byte[MAX_MESSAGE / 2 + 1]), frame(true, 0, CONTINUATION, new byte[MAX_MESSAGE / 2 + 1])));
    assertEquals(1009, failWith(frame(true, 0, BINARY, new byte[MAX_MESSAGE + 1])));
  }

  // ---- frames and sockets ----

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Opens a socket, writes {@code frames}, and returns the close status the hub answered with (after which it closed the TCP connection). */
  private int failWith(byte[]... frames) throws IOException {
    try (WsRaw ws = WsRaw.open(hub.port())) {
      for (byte[] frame : frames) {
        ws.write(frame);
      }
      int code = ws.closeCode();
      ws.assertClosedByHub();
      return code;
    }
  }

  private static byte[] ping(String id, byte[] extra) {
    return concat(("{\"type\":\"ping\",\"id\":\"" + id).getBytes(StandardCharsets.UTF_8), extra, "\"}".getBytes(StandardCharsets.UTF_8));
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static final byte[] MASK = bytes(0x37, 0xfa, 0x21, 0x3d);

  /** A masked client frame: FIN, RSV bits ({@code rsv} as in the first byte), opcode, minimal length. */
  static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | rsv | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >> shift) & 0xff);
      }
    }
    out.writeBytes(MASK);
    out.writeBytes(masked(payload));
    return out.toByteArray();
  }

  /** A final masked frame whose length is written in the form {@code form} (126: 16 bits, 127: 64 bits) or is {@code form} itself when above 127. */
  private static byte[] withLength(int opcode, byte[] payload, int form) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x80 | opcode);
    long length = form > 127 ? form : payload.length;
    if (form == 126 || (form > 127 && length < 65536)) {
      out.write(0x80 | 126);
      out.write((int) (length >> 8) & 0xff);
      out.write((int) length & 0xff);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (length >> shift) & 0xff);
      }
    }
    out.writeBytes(MASK);
    out.writeBytes(masked(payload));
    return out.toByteArray();
  }

  /** The same frame with its mask bit cleared and its masking key removed (payload as masked, which the hub must not read). */
  private static byte[] unmasked(byte[] frame) {
    int lengthBytes = (frame[1] & 0x7f) == 126 ? 2 : (frame[1] & 0x7f) == 127 ? 8 : 0;
    int keyAt = 2 + lengthBytes;
    byte[] out = new byte[frame.length - 4];
    System.arraycopy(frame, 0, out, 0, keyAt);
    out[1] = (byte) (frame[1] & 0x7f);
    System.arraycopy(frame, keyAt + 4, out, keyAt, frame.length - keyAt - 4);
    return out;
  }

  private static byte[] masked(byte[] payload) {
    byte[] out = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      out[i] = (byte) (payload[i] ^ MASK[i % 4]);
    }
    return out;
  }

  record RawFrame(boolean fin, int opcode, byte[] payload) {
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    @Override
    public String toString() {
      return "opcode " + opcode + " " + new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** One upgraded WebSocket over a blocking socket (test thread only); reads time out after 20 s. */
  static final class WsRaw implements AutoCloseable {
    private final RawHttp http;
    private final InputStream in;

    private WsRaw(RawHttp http) {
      this.http = http;
      this.in = http.in();
    }

    static WsRaw open(int port) throws IOException {
      return open(port, 0);
    }

    /** With SO_RCVBUF {@code receiveBufferBytes} (0: the system's) set before connecting. */
    static WsRaw open(int port, int receiveBufferBytes) throws IOException {
      return open(port, "/v1/ws", receiveBufferBytes);
    }

    /** On the WebSocket endpoint {@code path}. */
    static WsRaw open(int port, String path, int receiveBufferBytes) throws IOException {
      RawHttp http = RawHttp.connect(port, receiveBufferBytes);
      http.send("GET", path, Map.of("Upgrade", "websocket", "Connection", "Upgrade",
          "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"), null);
      RawHttp.Head head = http.readHead();
      assertEquals(101, head.status(), head.toString());
      return new WsRaw(http);
    }

    /** Opened with permessage-deflate negotiated (RFC 7692): the hub inflates frames with RSV1 set. */
    static WsRaw openDeflate(int port) throws IOException {
      return openDeflate(port, "/v1/ws");
    }

    static WsRaw openDeflate(int port, String path) throws IOException {
      RawHttp http = RawHttp.connect(port, 0);
      http.send("GET", path, Map.of("Upgrade", "websocket", "Connection", "Upgrade",
          "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13",
          "Sec-WebSocket-Extensions", "permessage-deflate"), null);
      RawHttp.Head head = http.readHead();
      assertEquals(101, head.status(), head.toString());
      assertTrue(String.valueOf(head.header("Sec-WebSocket-Extensions")).contains("permessage-deflate"), head.toString());
      return new WsRaw(http);
    }

    RawHttp http() {
      return http;
    }

    void write(byte[] frame) throws IOException {
      http.out().write(frame);
      http.out().flush();
    }

    RawFrame next() throws IOException {
      int b0 = read();
      int b1 = read();
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (read() << 8) | read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | read();
        }
      }
      assertEquals(0, b1 & 0x80, "a server's frames are not masked (5.1)");
      byte[] payload = in.readNBytes((int) length);
      if (payload.length < length) {
        throw new EOFException("frame cut short");
      }
      return new RawFrame((b0 & 0x80) != 0, b0 & 0x0f, payload);
    }

    String nextText() throws IOException {
      RawFrame frame = next();
      assertEquals(TEXT, frame.opcode(), frame.toString());
      return new String(frame.payload(), StandardCharsets.UTF_8);
    }

    /** The status of the hub's close frame; any frame before it fails the test (the bad input was answered). */
    int closeCode() throws IOException {
      List<RawFrame> before = new ArrayList<>();
      while (true) {
        RawFrame frame = next();
        if (frame.opcode() == CLOSE) {
          assertEquals(List.of(), before.stream().map(RawFrame::toString).toList(), "frames sent before the close");
          return frame.closeCode();
        }
        before.add(frame);
      }
    }

    /** The hub closes the TCP connection after its close frame (7.1.1); answering with a close frame is allowed. */
    void assertClosedByHub() throws IOException {
      try {
        write(frame(true, 0, CLOSE, bytes(0x03, 0xe8)));
      } catch (IOException alreadyClosed) {
        return;
      }
      http.socket().setSoTimeout(CLOSE_WAIT_MS);
      try {
        while (in.read() >= 0) {
          // drains anything after the close frame until the hub closes the connection
        }
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("the hub did not close the TCP connection within " + CLOSE_WAIT_MS + " ms of the close handshake", e);
      } catch (IOException reset) {
        // a reset is a close too
      }
    }

    private int read() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the hub closed the connection without a close frame");
      }
      return b;
    }

    @Override
    public void close() throws IOException {
      http.close();
    }
  }
}
