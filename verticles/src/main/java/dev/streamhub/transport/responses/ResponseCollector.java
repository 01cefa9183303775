package dev.streamhub.transport.responses;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.transport.WholeAnswer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * Reads a whole stream into one {@code response} object, for {@code POST /v1/responses} without
 * {@code stream} or {@code background}: whatever the terminal event (a failed or cancelled
 * generation is a response of that status, not an HTTP error). As its session's {@link Framing}: no
 * heartbeat on the wire; a drain fails it with {@code draining} at the deadline;
 * {@code completion_timeout_ms} fails it with {@code completion_timeout} (the response goes on in
 * the log: {@code GET /v1/responses/{id}}).
 */
final class ResponseCollector implements WholeAnswer.Collector {

  private final ResponseState state;
  private final Promise<JsonObject> result = Promise.promise();

  ResponseCollector(StreamMeta meta, ResponseRecord record) {
    this.state = new ResponseState(meta, record);
  }

  @Override
  public Future<JsonObject> answer() {
    return result.future();
  }

  @Override
  public void send(Event event) {
    state.add(event);
  }

  @Override
  public void end() {
    if (state.ended()) {
      result.tryComplete(state.response(true));
    }
  }

  @Override
  public void fail(HubException error) {
    result.tryFail(error);
  }

  @Override
  public void letGo() {
    result.tryFail(new HubException(ErrorCode.DRAINING, "this node is shutting down; GET /v1/responses/" + state.id()
        + " on another node"));
  }

  /** {@code completion_timeout_ms} passed before the stream ended. */
  @Override
  public void timeout() {
    result.tryFail(new HubException(ErrorCode.COMPLETION_TIMEOUT, "the response did not end in time; it goes on: GET /v1/responses/"
        + state.id()));
  }

  @Override
  public void closed() {
    result.tryFail(new HubException(ErrorCode.BAD_REQUEST, "client went away"));
  }
}
