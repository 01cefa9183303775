package dev.streamhub.transport;

import dev.streamhub.HubClient;
import dev.streamhub.RawHttp;
import dev.streamhub.SseFrame;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Compact reads ({@code compact=true}) on each transport, for {@code CompactReadTest}: the events as
 * JSON objects in the order received (native envelope on SSE, WebSocket and long-poll; the chunk
 * objects, with {@code id} as {@code _id}, on OpenAI-format SSE), and whole reads over a raw socket
 * that count every byte the hub sent.
 */
final class CompactReads {

  /** How a test reads. */
  enum Way { SSE, OPENAI, WS, POLL }

  private final Vertx vertx;
  private final int port;
  private final HubClient client;
  private final WebSocketClient ws;

  CompactReads(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.client = new HubClient(vertx, port);
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 24).setMaxFrameSize(1 << 24));
  }

  Future<Void> close() {
    return client.close().compose(v -> ws.close());
  }

  /** Reads from {@code from} until the terminal event (or {@code count} events, then hangs up). */
  Future<List<JsonObject>> read(Way way, String stream, long from, boolean compact, int count) {
    switch (way) {
      case SSE:
        return sse(uri(stream, "events", from, compact), count).map(SseReader::events);
      case OPENAI:
        return sse(uri(stream, "events", from, compact) + "&format=openai", count).map(CompactReads::chunks);
      case WS:
        return ws(stream, from, compact, count);
      default:
        return poll(stream, from, compact, count, new ArrayList<>());
    }
  }

  static String uri(String stream, String path, long from, boolean compact) {
    return "/v1/streams/" + stream + "/" + path + "?from=" + from + (compact ? "&compact=true" : "");
  }

  private Future<List<SseFrame>> sse(String uri, int count) {
    return client.openSse(uri, MultiMap.caseInsensitiveMultiMap()).compose(live -> {
      if (count == Integer.MAX_VALUE) {
        return live.ended();
      }
      return live.until(frames -> SseFrame.events(frames).size() >= count)
          .compose(frames -> live.disconnect().map(SseFrame.events(frames).subList(0, count)));
    });
  }

  private static List<JsonObject> chunks(List<SseFrame> frames) {
    List<JsonObject> chunks = new ArrayList<>();
    for (SseFrame frame : SseFrame.events(frames)) {
      JsonObject chunk = frame.data().equals("[DONE]") ? new JsonObject().put("done", true) : new JsonObject(frame.data());
      chunks.add(chunk.put("_id", frame.id()));
    }
    return chunks;
  }

  private Future<List<JsonObject>> ws(String stream, long from, boolean compact, int count) {
    return ws.connect(WsReader.target(port)).compose(socket -> {
      List<JsonObject> events = new ArrayList<>();
      Promise<List<JsonObject>> done = Promise.promise();
      socket.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if (!message.containsKey("offset")) {
          if ("error".equals(message.getString("type"))) {
            done.tryFail(new AssertionError("ws error: " + text));
          }
          return;
        }
        events.add(message);
        if (events.size() == count || WsReader.isTerminal(message.getString("type"))) {
          done.tryComplete(List.copyOf(events));
        }
      });
      socket.closeHandler(v -> done.tryFail(new AssertionError("socket closed after " + events.size() + " events")));
      JsonObject subscribe = new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", from);
      if (compact) {
        subscribe.put("compact", true);
      }
      socket.writeTextMessage(subscribe.encode());
      return done.future().compose(result -> hangUp(socket).map(result));
    });
  }

  private static Future<Void> hangUp(WebSocket socket) {
    socket.closeHandler(null);
    socket.textMessageHandler(null);
    return socket.close().recover(err -> Future.succeededFuture());
  }

  private Future<List<JsonObject>> poll(String stream, long from, boolean compact, int count, List<JsonObject> got) {
    return client.get(uri(stream, "poll", from, compact) + "&timeout=5").compose(resp -> {
      if (resp.statusCode() != 200) {
        return Future.failedFuture(new AssertionError("poll: " + resp.statusCode() + " " + resp.bodyAsString()));
      }
      JsonObject body = resp.bodyAsJsonObject();
      body.getJsonArray("events").forEach(e -> got.add((JsonObject) e));
      if (body.getBoolean("done") || got.size() >= count) {
        return Future.succeededFuture(got.size() > count ? got.subList(0, count) : got);
      }
      return poll(stream, body.getLong("next"), compact, count, got);
    });
  }

  // ---- whole reads over a raw socket, every byte counted (blocking: test thread only) ----

  /** A whole read: every byte the hub sent (head, framing and body) and the payload text. */
  record Wire(long bytes, String payload) {}

  /**
   * Reads a finished stream from 0 with {@code compact=true} (or without), to its end, and counts the
   * bytes. HTTP ways ask for {@code Connection: close} and read to the end of the connection; the
   * WebSocket way reads frames until the terminal event. Long-poll follows {@code next} and adds up
   * every answer.
   */
  Wire wire(Way way, String stream, boolean compact) throws IOException {
    switch (way) {
      case SSE:
        return http(uri(stream, "events", 0, compact));
      case OPENAI:
        return http(uri(stream, "events", 0, compact) + "&format=openai");
      case WS:
        return wsWire(stream, compact);
      default: {
        long bytes = 0;
        StringBuilder payload = new StringBuilder();
        long from = 0;
        for (int polls = 0; polls < 100_000; polls++) {
          Wire answer = http(uri(stream, "poll", from, compact) + "&timeout=5");
          bytes += answer.bytes();
          payload.append(answer.payload());
          JsonObject body = new JsonObject(answer.payload());
          if (body.getBoolean("done")) {
            return new Wire(bytes, payload.toString());
          }
          from = body.getLong("next");
        }
        throw new AssertionError("poll never reached the end");
      }
    }
  }

  private Wire http(String uri) throws IOException {
    try (RawHttp raw = RawHttp.connect(port, 0)) {
      raw.send("GET", uri, Map.of("Connection", "close"), null);
      byte[] all = raw.in().readAllBytes();
      String text = new String(all, StandardCharsets.UTF_8);
      int bodyStart = text.indexOf("\r\n\r\n") + 4;
      String head = text.substring(0, bodyStart);
      if (!head.startsWith("HTTP/1.1 200")) {
        throw new AssertionError("expected 200, got " + head);
      }
      String body = text.substring(bodyStart);
      return new Wire(all.length, head.toLowerCase().contains("transfer-encoding: chunked") ? dechunk(body) : body);
    }
  }

  private static String dechunk(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int lineEnd = indexOf(bytes, i);
      int size = Integer.parseInt(new String(bytes, i, lineEnd - i, StandardCharsets.US_ASCII).trim(), 16);
      i = lineEnd + 2;
      if (size == 0) {
        return out.toString(StandardCharsets.UTF_8);
      }
      out.write(bytes, i, size);
      i += size + 2;
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    throw new AssertionError("no CRLF after " + from);
  }

  private Wire wsWire(String stream, boolean compact) throws IOException {
    try (RawHttp raw = RawHttp.connect(port, 0)) {
      raw.send("GET", "/v1/ws", Map.of(
          "Upgrade", "websocket",
          "Connection", "Upgrade",
          "Sec-WebSocket-Key", Base64.getEncoder().encodeToString(new byte[16]),
          "Sec-WebSocket-Version", "13"), null);
      CountingInput in = new CountingInput(raw.in());
      String head = readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new AssertionError("expected 101, got " + head);
      }
      JsonObject subscribe = new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0);
      if (compact) {
        subscribe.put("compact", true);
      }
      writeMasked(raw.out(), subscribe.encode().getBytes(StandardCharsets.UTF_8));
      StringBuilder payload = new StringBuilder();
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        long length = b1 & 0x7F;
        if (length == 126) {
          length = (in.read() << 8) | in.read();
        } else if (length == 127) {
          length = 0;
          for (int k = 0; k < 8; k++) {
            length = (length << 8) | in.read();
          }
        }
        message.write(in.readNBytes((int) length));
        int opcode = b0 & 0x0F;
        if (opcode != 1 && opcode != 0) {
          throw new AssertionError("expected text frames only, got opcode " + opcode);
        }
        if ((b0 & 0x80) == 0) {
          continue;
        }
        String text = message.toString(StandardCharsets.UTF_8);
        message.reset();
        payload.append(text).append('\n');
        JsonObject json = new JsonObject(text);
        if (json.containsKey("offset") && WsReader.isTerminal(json.getString("type"))) {
          return new Wire(in.count, payload.toString());
        }
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed in the head");
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static void writeMasked(OutputStream out, byte[] payload) throws IOException {
    byte[] mask = {1, 2, 3, 4};
    out.write(0x81);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xFF);
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }

  /** Counts what is read. */
  private static final class CountingInput extends InputStream {
    private final InputStream in;
    long count;

    CountingInput(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("connection closed after " + count + " bytes");
      }
      count++;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /** The events of one publish request: an array of {@code {"type","data"}}. */
  static JsonArray deltas(List<String> texts) {
    JsonArray batch = new JsonArray();
    texts.forEach(t -> batch.add(PublishApiTest.delta(t)));
    return batch;
  }

  Vertx vertx() {
    return vertx;
  }
}
