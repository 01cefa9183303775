package dev.streamhub.ops;

import dev.streamhub.SseFrame;
import dev.streamhub.transport.ClusterHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A client that reads one stream to its terminal event through a load balancer, as a real app
 * would: whenever its connection ends early (the node drains: SSE {@code reconnect} event,
 * WebSocket close 1012, a long-poll answered early; or a refusal, 503 {@code draining}, a reset) it
 * connects again and resumes from the offset after the last one it got. It records every offset it
 * received (duplicates included, so the test can see them), the nodes that served it, and the
 * longest pause between two events.
 */
abstract class ResumingClient {

  /** Pause before reconnecting after a refusal or a failed connect. */
  static final long RETRY_MS = 100;

  final Vertx vertx;
  final String stream;
  final List<Long> offsets = new ArrayList<>();
  final Set<String> nodes = new LinkedHashSet<>();
  String firstNode;
  String lastType;
  int connects;
  long longestPauseMs;
  private long lastEventAt;
  private final Promise<Void> finished = Promise.promise();
  private volatile boolean stopped;

  ResumingClient(Vertx vertx, String stream) {
    this.vertx = vertx;
    this.stream = stream;
  }

  static ResumingClient of(String transport, Vertx vertx, HttpClient http, WebSocketClient ws, int port, String stream) {
    switch (transport) {
      case "sse":
        return new Sse(vertx, http, stream);
      case "ws":
        return new Ws(vertx, ws, port, stream);
      default:
        return new Poll(vertx, http, stream);
    }
  }

  abstract String transport();

  /** One connection: reads until it ends; completes normally whether or not the stream finished. */
  abstract Future<Void> readOnce();

  /** Reads to the terminal event, reconnecting as often as needed; completes when the stream ended. */
  Future<Void> start() {
    lastEventAt = System.nanoTime();
    // a context of its own: every connection and timer of this client runs on one event loop
    vertx.getOrCreateContext().runOnContext(v -> loop());
    return finished.future();
  }

  /** The end of the stream, or a failure after {@code ms} (the client then gives up). */
  Future<Void> finishedWithin(long ms) {
    return finished.future().timeout(ms, TimeUnit.MILLISECONDS).onFailure(err -> stop());
  }

  /** Gives up (the test's deadline passed). */
  void stop() {
    stopped = true;
  }

  boolean done() {
    return finished.future().isComplete();
  }

  long next() {
    return offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1) + 1;
  }

  private void loop() {
    if (stopped) {
      finished.tryFail("stopped at offset " + next());
      return;
    }
    connects++;
    readOnce().otherwiseEmpty().onComplete(ar -> {
      if (isTerminal(lastType)) {
        finished.tryComplete();
      } else {
        vertx.setTimer(RETRY_MS, id -> loop());
      }
    });
  }

  void served(String node) {
    if (node != null) {
      nodes.add(node);
      if (firstNode == null) {
        firstNode = node;
      }
    }
  }

  void event(JsonObject event) {
    long now = System.nanoTime();
    if (!offsets.isEmpty()) {
      longestPauseMs = Math.max(longestPauseMs, (now - lastEventAt) / 1_000_000);
    }
    lastEventAt = now;
    offsets.add(event.getLong("offset"));
    lastType = event.getString("type");
  }

  static boolean isTerminal(String type) {
    return "done".equals(type) || "error".equals(type) || "cancelled".equals(type);
  }

  /** Native SSE, resuming with {@code ?from=}. */
  static final class Sse extends ResumingClient {
    private final HttpClient http;

    Sse(Vertx vertx, HttpClient http, String stream) {
      super(vertx, stream);
      this.http = http;
    }

    @Override
    String transport() {
      return "sse";
    }

    @Override
    Future<Void> readOnce() {
      return http.request(HttpMethod.GET, "/v1/streams/" + stream + "/events?from=" + next())
          .compose(req -> req.send())
          .compose(resp -> {
            served(resp.getHeader(ClusterHandler.NODE_HEADER));
            if (resp.statusCode() != 200) {
              return resp.body().mapEmpty();
            }
            return frames(resp);
          });
    }

    private Future<Void> frames(HttpClientResponse resp) {
      Promise<Void> ended = Promise.promise();
      Buffer[] pending = {Buffer.buffer()};
      resp.handler(chunk -> {
        Buffer buf = pending[0].appendBuffer(chunk);
        int start = 0;
        for (int i = 0; i + 1 < buf.length(); i++) {
          if (buf.getByte(i) == '\n' && buf.getByte(i + 1) == '\n') {
            SseFrame frame = SseFrame.parse(buf.getString(start, i, "UTF-8"));
            if (frame.isEvent() && frame.id() != null) {
              event(new JsonObject(frame.data()));
            }
            start = i + 2;
            i++;
          }
        }
        pending[0] = start > 0 ? buf.getBuffer(start, buf.length()) : buf;
      });
      resp.endHandler(v -> ended.tryComplete());
      resp.exceptionHandler(err -> ended.tryComplete());
      return ended.future();
    }
  }

  /** Long-poll, following {@code next}. */
  static final class Poll extends ResumingClient {
    private final HttpClient http;

    Poll(Vertx vertx, HttpClient http, String stream) {
      super(vertx, stream);
      this.http = http;
    }

    @Override
    String transport() {
      return "poll";
    }

    @Override
    Future<Void> readOnce() {
      return http.request(HttpMethod.GET, "/v1/streams/" + stream + "/poll?timeout=5&from=" + next())
          .compose(req -> req.send())
          .compose(resp -> {
            served(resp.getHeader(ClusterHandler.NODE_HEADER));
            return resp.body().map(body -> {
              if (resp.statusCode() == 200) {
                JsonObject answer = body.toJsonObject();
                JsonArray events = answer.getJsonArray("events");
                events.forEach(e -> event((JsonObject) e));
                if (answer.getLong("next") != next()) {
                  throw new AssertionError("poll next " + answer.getLong("next") + " after offsets ending at " + next());
                }
              }
              return null;
            });
          });
    }
  }

  /** WebSocket {@code stream.subscribe}, one socket per connection. */
  static final class Ws extends ResumingClient {
    private final WebSocketClient client;
    private final int port;

    Ws(Vertx vertx, WebSocketClient client, int port, String stream) {
      super(vertx, stream);
      this.client = client;
      this.port = port;
    }

    @Override
    String transport() {
      return "ws";
    }

    @Override
    Future<Void> readOnce() {
      WebSocketConnectOptions target = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws");
      return client.connect(target).compose(ws -> {
        served(ws.headers() == null ? null : ws.headers().get(ClusterHandler.NODE_HEADER));
        Promise<Void> ended = Promise.promise();
        ws.textMessageHandler(text -> {
          JsonObject message = new JsonObject(text);
          if (message.containsKey("offset")) {
            event(message);
            if (isTerminal(message.getString("type"))) {
              ws.close();
              ended.tryComplete();
            }
          } else if ("error".equals(message.getString("type"))) {
            ws.close(); // a refusal (say, draining): connect again
          }
        });
        ws.closeHandler(v -> ended.tryComplete());
        ws.exceptionHandler(err -> ended.tryComplete());
        ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", next()).encode());
        return ended.future();
      });
    }
  }
}
