package dev.streamhub.bench.load;

import io.vertx.core.http.HttpClient;
import java.util.List;

/**
 * How a reader receives a stream. Scenarios only talk to this interface, so WebSocket and
 * long-poll readers plug in next to {@link SseTransport} without touching them.
 */
public interface Transport {

  List<String> NAMES = List.of("sse", "ws", "poll");

  String name();

  /** Reads {@code stream} from offset {@code from} (inclusive) until the hub ends it. */
  Reading read(String stream, long from, StreamListener listener);

  static Transport create(String name, HttpClient client, Target target) {
    switch (name) {
      case "sse":
        return new SseTransport(client, target);
      case "ws":
      case "poll":
        throw new UnsupportedOperationException("transport '" + name + "' is not implemented in the benchmark yet; use --transport sse");
      default:
        throw new IllegalArgumentException("unknown transport '" + name + "'; one of " + NAMES);
    }
  }
}
