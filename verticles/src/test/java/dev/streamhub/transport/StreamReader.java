package dev.streamhub.transport;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A client of one transport, reduced to what the conformance suite compares: the events of a
 * stream as JSON objects ({@code {"stream","offset","type","data","ts"}}) in the order received.
 */
public interface StreamReader {

  /** Reads from {@code from} until the stream's terminal event. */
  Future<List<JsonObject>> readAll(String stream, long from);

  /** Reads from {@code from} until {@code count} events arrived, then drops the connection abruptly. */
  Future<List<JsonObject>> readSome(String stream, long from, int count);

  /**
   * What the transport says to a subscription it refuses: the HTTP status (0 on WebSocket, where
   * the refusal is a message) and the error {@code code}.
   */
  Future<Refusal> refusal(String stream, String from);

  Future<Void> close();

  record Refusal(int status, String code) {}
}
