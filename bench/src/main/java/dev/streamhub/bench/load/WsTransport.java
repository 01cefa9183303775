package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * WebSocket: one socket per reader on {@code /v1/ws}, {@code {"type":"stream.subscribe","stream",
 * "from"}}, then one JSON text message per event until the terminal one (the socket is closed
 * then). No permessage-deflate (the client does not offer it).
 */
public final class WsTransport implements Transport {

  private final WebSocketClient client;
  private final Target target;

  public WsTransport(WebSocketClient client, Target target) {
    this.client = client;
    this.target = target;
  }

  @Override
  public String name() {
    return "ws";
  }

  @Override
  public Reading read(String stream, long from, StreamListener listener) {
    return read(stream, from, false, listener);
  }

  @Override
  public Reading read(String stream, long from, boolean compact, StreamListener listener) {
    WsReading reading = new WsReading(stream, listener);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(target.host())
        .setPort(target.port())
        .setURI("/v1/ws");
    client.connect(Credentials.apply(options))
        .onFailure(reading.done::tryFail)
        .onSuccess(ws -> {
          reading.ws = ws;
          if (reading.cancelled) {
            ws.close();
            return;
          }
          ws.textMessageHandler(reading::onText);
          ws.exceptionHandler(reading.done::tryFail);
          ws.closeHandler(v -> reading.done.tryFail(new IllegalStateException(
              "socket closed before the stream ended (close status " + ws.closeStatusCode() + " " + ws.closeReason() + ")")));
          ws.writeTextMessage("{\"type\":\"stream.subscribe\",\"stream\":\"" + stream + "\",\"from\":" + from + (compact ? ",\"compact\":true}" : "}"));
          listener.onOpen(Clock.micros());
        });
    return reading;
  }

  private static final class WsReading implements Reading {
    private final String stream;
    private final StreamListener listener;
    private final Promise<Void> done = Promise.promise();
    private WebSocket ws;
    private boolean cancelled;

    WsReading(String stream, StreamListener listener) {
      this.stream = stream;
      this.listener = listener;
    }

    /** An event ({@code {"stream",...,"offset",...}}) or a control message ({@code {"type":...}} first). */
    void onText(String text) {
      long at = Clock.micros();
      listener.onBytes(io.netty.buffer.ByteBufUtil.utf8Bytes(text));
      if (text.startsWith("{\"type\":")) {
        String type = EventFields.firstString(text, "type");
        if ("stream.unsubscribed".equals(type) && text.contains("\"reason\":\"ended\"")) {
          finish();
        } else if ("error".equals(type)) {
          done.tryFail(new IllegalStateException("hub error message: " + text));
          close();
        }
        return;
      }
      String type = EventFields.firstString(text, "type");
      listener.onEvent(EventFields.firstNumber(text, "offset"), type == null ? "message" : type, EventFields.ts(text), text, at);
      if ("done".equals(type) || "error".equals(type) || "cancelled".equals(type)) {
        finish();
      }
    }

    private void finish() {
      done.tryComplete();
      close();
    }

    private void close() {
      if (ws != null && !ws.isClosed()) {
        ws.close();
      }
    }

    @Override
    public Future<Void> done() {
      return done.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      done.tryComplete();
      close();
    }

    @Override
    public String toString() {
      return "ws reading of " + stream;
    }
  }
}
