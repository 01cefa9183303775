package dev.streamhub.transport;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;

/**
 * A client of one transport, reduced to what the conformance suite compares: the events of a
 * stream as JSON objects ({@code {"stream","offset","type","data","ts"}}) in the order received.
 */
public interface StreamReader {

  /** Reads from {@code from} until the stream's terminal event. */
  Future<List<JsonObject>> readAll(String stream, long from);

  /**
   * Reads from {@code from} until the stream's terminal event, and once {@code count} events have
   * arrived runs {@code thenDo} while still connected: a test publishes the rest of the stream
   * there, so what follows can reach this reader only while it is connected (live). Fails with
   * {@code thenDo}'s failure.
   */
  Future<List<JsonObject>> readAllAfter(String stream, long from, int count, Supplier<Future<?>> thenDo);

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
