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
 * response without {@code [DONE]}, as OpenAI's SDKs expect.
 *
 * <p>Ids, so that a client resuming after any chunk gets every chunk it has not seen, once: a
 * {@code delta} chunk carries its event's offset. The terminal event at offset {@code d} becomes up
 * to three chunks, and they carry {@code d} (the finish chunk), {@code d + 1} (the usage chunk) and
 * {@code d + 2} (the last chunk: {@code [DONE]}, or the error): offsets cannot number them, since a
 * finish chunk, a usage chunk and {@code [DONE]} all come from the last two events. A reader of
 * {@code /v1/streams/{id}/events?format=openai} that asks for the chunks from id {@code from} on
 * ({@code Last-Event-ID + 1}) reads the log from {@link #readFrom} and is sent only chunks whose id
 * is at least {@code from}.
 */
public final class OpenAiChunks implements SseFormat {

  private final StreamMeta meta;
  private final boolean includeUsage;
  private final String completionId;
  private final long created;
  /** Chunks with a lower id are not sent: the client has them. */
  private final long from;
  private JsonObject usage;

  /** Every chunk of the stream, from its start ({@code /v1/chat/completions}). */
  public OpenAiChunks(StreamMeta meta, boolean includeUsage) {
    this(meta, includeUsage, 0);
  }

  /** The chunks whose id is {@code from} or more; the log must be read from {@link #readFrom}{@code (meta, from)}. */
  public OpenAiChunks(StreamMeta meta, boolean includeUsage, long from) {
    this.meta = meta;
    this.includeUsage = includeUsage;
    this.completionId = completionId(meta.id());
    this.created = meta.createdAt() / 1000;
    this.from = from;
  }

  /**
   * The log offset to read from so that every chunk with an id of {@code from} or more is made: one
   * event earlier (a usage event before the terminal one is needed for the chunks after it), and the
   * terminal event itself for ids past it. For a finished stream whose terminal event is at {@code d},
   * {@code from == d + 3} reads from the end (nothing to send: 204) and a higher {@code from} is
   * passed on to be refused as beyond the end; so is a {@code from} past a live stream's end, or below
   * what the log retains.
   */
  public static long readFrom(StreamMeta meta, long from) {
    long end = meta.nextOffset();
    boolean refused = from < meta.firstOffset() || from > end + 2 || (!meta.finished() && from > end);
    if (refused || from == meta.firstOffset()) {
      return from;
    }
    if (meta.finished() && from == end + 2) {
      return end;
    }
    return meta.finished() && from >= end ? Math.max(meta.firstOffset(), end - 2) : from - 1;
  }

  public static String completionId(String stream) {
    return "chatcmpl-" + stream;
  }

  @Override
  public void write(Event event, SseResponse out) {
    long offset = event.offset();
    switch (event.type()) {
      case DELTA: {
        if (offset < from) {
          break;
        }
        JsonObject delta = new JsonObject();
        if (offset == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", event.data().getString("text", ""));
        out.event(Long.toString(offset), null, chunk(delta, null).encode());
        break;
      }
      case SNAPSHOT: {
        // a compact read's catch-up: the whole text so far as one delta, which SDKs append as any other
        JsonObject data = event.data();
        if (offset < from) {
          break; // every delta it merges was read one event early and is one the client has
        }
        JsonObject delta = new JsonObject();
        if (data.getLong("from", -1L) == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", data.getString("text", ""));
        out.event(Long.toString(offset), null, chunk(delta, null).encode());
        break;
      }
      case USAGE:
        usage = event.data();
        break;
      case DONE:
        if (offset >= from) {
          out.event(Long.toString(offset), null, chunk(new JsonObject(), event.data().getString("finish_reason", "stop")).encode());
        }
        if (includeUsage && usage != null && offset + 1 >= from) {
          out.event(Long.toString(offset + 1), null, base().put("choices", new JsonArray()).put("usage", usage).encode());
        }
        last(offset, "[DONE]", out);
        break;
      case ERROR:
        last(offset, errorBody(event).encode(), out);
        break;
      case CANCELLED:
        last(offset, ErrorResponses.body(cancelled()).encode(), out);
        break;
      default:
        // binary events have no chat-completion form; the native endpoint carries them
        break;
    }
  }

  /** The stream's last chunk, for the terminal event at {@code offset}: its id is {@code offset + 2}. */
  private void last(long offset, String data, SseResponse out) {
    if (offset + 2 >= from) {
      out.event(Long.toString(offset + 2), null, data);
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
