package dev.streamhub.transport.openai;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.transport.sse.SseFormat;
import dev.streamhub.transport.sse.SseResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stream as OpenAI {@code chat.completion.chunk} SSE: one chunk per {@code delta} (the chunk of
 * offset 0 also carries {@code role}), a last chunk with {@code finish_reason} on {@code done},
 * then the usage chunk ({@code choices: []}) when asked for, then {@code data: [DONE]}. An
 * {@code snapshot} (a compact read's catch-up) is one chunk whose {@code delta.content} is its whole
 * text (with {@code role} when it starts at offset 0). An
 * {@code error} or {@code cancelled} event becomes {@code data: {"error":{...}}} and ends the
 * response without {@code [DONE]}, as OpenAI's SDKs expect. Every event carries {@code id: <offset>}.
 */
public final class OpenAiChunks implements SseFormat {

  private final StreamMeta meta;
  private final boolean includeUsage;
  private final String completionId;
  private final long created;
  private JsonObject usage;

  public OpenAiChunks(StreamMeta meta, boolean includeUsage) {
    this.meta = meta;
    this.includeUsage = includeUsage;
    this.completionId = completionId(meta.id());
    this.created = meta.createdAt() / 1000;
  }

  public static String completionId(String stream) {
    return "chatcmpl-" + stream;
  }

  @Override
  public void write(Event event, SseResponse out) {
    String id = Long.toString(event.offset());
    switch (event.type()) {
      case DELTA: {
        JsonObject delta = new JsonObject();
        if (event.offset() == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", event.data().getString("text", ""));
        out.event(id, null, chunk(delta, null).encode());
        break;
      }
      case SNAPSHOT: {
        // a compact read's catch-up: the whole text so far as one delta, which SDKs append as any other
        JsonObject data = event.data();
        JsonObject delta = new JsonObject();
        if (data.getLong("from", -1L) == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", data.getString("text", ""));
        out.event(id, null, chunk(delta, null).encode());
        break;
      }
      case USAGE:
        usage = event.data();
        break;
      case DONE:
        out.event(id, null, chunk(new JsonObject(), event.data().getString("finish_reason", "stop")).encode());
        if (includeUsage && usage != null) {
          out.event(id, null, base().put("choices", new JsonArray()).put("usage", usage).encode());
        }
        out.event(id, null, "[DONE]");
        break;
      case ERROR:
        out.event(id, null, errorBody(event).encode());
        break;
      case CANCELLED:
        out.event(id, null, ErrorResponses.body(cancelled()).encode());
        break;
      default:
        // binary events have no chat-completion form; the native endpoint carries them
        break;
    }
  }

  @Override
  public void fail(HubException error, SseResponse out) {
    out.event(null, null, ErrorResponses.body(error).encode());
  }

  /** The {@code {"error":{...}}} body for an {@code error} event, keeping a worker's own code. */
  static JsonObject errorBody(Event event) {
    String code = event.data().getString("code", ErrorCode.INTERNAL_ERROR.code());
    return new JsonObject().put("error", new JsonObject()
        .put("code", code)
        .put("message", event.data().getString("message", "error"))
        .put("type", ErrorCode.fromCode(code).type()));
  }

  static HubException cancelled() {
    return new HubException(ErrorCode.CANCELLED, "the generation was cancelled");
  }

  private JsonObject chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("logprobs", null).put("finish_reason", finishReason);
    return base().put("choices", new JsonArray().add(choice));
  }

  private JsonObject base() {
    return new JsonObject()
        .put("id", completionId)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", meta.model());
  }
}
