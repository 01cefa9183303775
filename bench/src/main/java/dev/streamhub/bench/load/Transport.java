package dev.streamhub.bench.load;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocketClient;
import java.util.List;

/**
 * How a reader receives a stream. Scenarios only talk to this interface: every implementation
 * turns what arrives into {@link StreamListener} calls (offset, type, ts, the event's JSON, receive
 * time), and the measuring (latency recorder, offset checks) is shared code behind the listener.
 */
public interface Transport {

  List<String> NAMES = List.of("sse", "ws", "poll");

  String name();

  /** Reads {@code stream} from offset {@code from} (inclusive) until the hub ends it. */
  Reading read(String stream, long from, StreamListener listener);

  /**
   * As {@link #read(String, long, StreamListener)}; with {@code compact} the hub's catch-up comes as
   * one {@code snapshot} event ({@code compact=true}). Only the hub's own transports have it.
   */
  default Reading read(String stream, long from, boolean compact, StreamListener listener) {
    if (compact) {
      throw new UnsupportedOperationException(name() + " has no compact reads");
    }
    return read(stream, from, listener);
  }

  static Transport create(String name, HttpClient client, WebSocketClient wsClient, Target target) {
    switch (name) {
      case "sse":
        return new SseTransport(client, target);
      case "ws":
        return new WsTransport(wsClient, target);
      case "poll":
        return new PollTransport(client, target, PollTransport.DEFAULT_TIMEOUT_S);
      default:
        throw new IllegalArgumentException("unknown transport '" + name + "'; one of " + NAMES);
    }
  }
}
