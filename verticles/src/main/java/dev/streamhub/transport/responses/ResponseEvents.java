package dev.streamhub.transport.responses;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.transport.sse.SseFormat;
import dev.streamhub.transport.sse.SseResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stream as the Responses API's typed SSE events, each with a {@code sequence_number} that is
 * also its SSE {@code id}, derived from the stream's offsets so that every read of the stream, on
 * any node, numbers the same event the same way:
 *
 * <pre>
 *   0            response.created           (the preamble: sent when the response opens,
 *   1            response.in_progress        before the log's offset 0)
 *   2            response.output_item.added
 *   3            response.content_part.added
 *   o + 4        response.output_text.delta for the delta at offset o (other non-terminal events,
 *                usage and binary, send nothing: their numbers are skipped)
 *   t + 4        response.output_text.done   for the terminal event at offset t (the last offset,
 *   t + 5        response.content_part.done   so nothing can follow these four)
 *   t + 6        response.output_item.done
 *   t + 7        response.completed | response.incomplete | response.failed | response.cancelled
 * </pre>
 *
 * A read with {@code starting_after=N} reads the log from offset 0 (the closing events carry the
 * whole text) and writes only the events numbered above N: every event after N, exactly once, then
 * live. A failure of the read itself (an offset expired meanwhile) is an {@code error} event with no
 * number.
 */
final class ResponseEvents implements SseFormat {

  /** Numbers before the log's offset 0: the four events of the preamble. */
  static final int PREAMBLE = 4;

  private final ResponseState state;
  private final long startingAfter;

  /** @param startingAfter write only events numbered above this; -1 for all of them */
  ResponseEvents(StreamMeta meta, ResponseRecord record, long startingAfter) {
    this.state = new ResponseState(meta, record);
    this.startingAfter = startingAfter;
  }

  @Override
  public void begin(SseResponse out) {
    emit(out, 0, "response.created", new JsonObject().put("response", state.response(false)));
    emit(out, 1, "response.in_progress", new JsonObject().put("response", state.response(false)));
    emit(out, 2, "response.output_item.added", new JsonObject().put("output_index", 0).put("item", state.item(false)));
    emit(out, 3, "response.content_part.added", content().put("part", state.part()));
    out.flush();
  }

  @Override
  public void write(Event event, SseResponse out) {
    long seq = event.offset() + PREAMBLE;
    String piece = state.add(event);
    if (piece != null) {
      emit(out, seq, "response.output_text.delta", content().put("delta", piece).put("logprobs", new JsonArray()));
      return;
    }
    if (!event.type().isTerminal()) {
      return;
    }
    emit(out, seq, "response.output_text.done", content().put("text", state.text()).put("logprobs", new JsonArray()));
    emit(out, seq + 1, "response.content_part.done", content().put("part", state.part()));
    emit(out, seq + 2, "response.output_item.done", new JsonObject().put("output_index", 0).put("item", state.item(true)));
    emit(out, seq + 3, "response." + state.status(), new JsonObject().put("response", state.response(true)));
  }

  @Override
  public void fail(HubException error, SseResponse out) {
    out.event(null, "error", new JsonObject()
        .put("type", "error")
        .put("code", error.code().code())
        .put("message", error.getMessage())
        .put("param", null)
        .encode());
  }

  private JsonObject content() {
    return new JsonObject().put("item_id", state.itemId()).put("output_index", 0).put("content_index", 0);
  }

  private void emit(SseResponse out, long seq, String type, JsonObject fields) {
    if (seq <= startingAfter) {
      return;
    }
    JsonObject event = new JsonObject().put("type", type).put("sequence_number", seq);
    out.event(Long.toString(seq), type, event.mergeIn(fields).encode());
  }
}
