package dev.streamhub.transport.openai;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.transport.WholeAnswer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A {@link Sink} that gathers a whole stream into one OpenAI {@code chat.completion} object, for
 * {@code stream:false}. Fails with the stream's error (or {@code cancelled}) if it did not end
 * with {@code done}. As its session's {@link Framing}: no heartbeat on the wire; a drain fails it
 * with {@code draining} at the deadline (its clients cannot resume).
 */
final class CompletionCollector implements WholeAnswer.Collector {

  private final StreamMeta meta;
  private final Promise<JsonObject> result = Promise.promise();
  private final StringBuilder content = new StringBuilder();
  private JsonObject usage = new JsonObject();
  private JsonObject terminal;

  CompletionCollector(StreamMeta meta) {
    this.meta = meta;
  }

  @Override
  public Future<JsonObject> answer() {
    return result.future();
  }

  @Override
  public void send(Event event) {
    switch (event.type()) {
      case DELTA:
        content.append(event.data().getString("text", ""));
        break;
      case SNAPSHOT:
        content.append(event.data().getString("text", ""));
        break;
      case USAGE:
        usage = event.data();
        break;
      case DONE:
        terminal = event.data();
        break;
      case ERROR:
        JsonObject error = OpenAiChunks.errorBody(event).getJsonObject("error");
        result.tryFail(new HubException(ErrorCode.fromCode(error.getString("code")), error.getString("message")));
        break;
      case CANCELLED:
        result.tryFail(OpenAiChunks.cancelled());
        break;
      default:
        break;
    }
  }

  @Override
  public void end() {
    if (terminal == null) {
      return;
    }
    JsonObject message = new JsonObject().put("role", "assistant").put("content", content.toString()).put("refusal", null);
    JsonObject choice = new JsonObject()
        .put("index", 0)
        .put("message", message)
        .put("logprobs", null)
        .put("finish_reason", terminal.getString("finish_reason", "stop"));
    result.tryComplete(new JsonObject()
        .put("id", OpenAiChunks.completionId(meta.id()))
        .put("object", "chat.completion")
        .put("created", meta.createdAt() / 1000)
        .put("model", meta.model())
        .put("choices", new JsonArray().add(choice))
        .put("usage", usage));
  }

  @Override
  public void fail(HubException error) {
    result.tryFail(error);
  }

  @Override
  public void letGo() {
    result.tryFail(new HubException(ErrorCode.DRAINING, "this node is shutting down; read the stream at /v1/streams/"
        + meta.id() + "/events on another node"));
  }

  /** {@code completion_timeout_ms} passed before the stream ended. */
  @Override
  public void timeout() {
    result.tryFail(new HubException(ErrorCode.COMPLETION_TIMEOUT, "the stream did not end in time; it goes on at /v1/streams/"
        + meta.id() + "/events"));
  }

  @Override
  public void closed() {
    result.tryFail(new HubException(ErrorCode.BAD_REQUEST, "client went away"));
  }
}
