package dev.streamhub.transport.responses;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stream's events read in offset order into OpenAI's {@code response} object: the text so far, the
 * usage, and the status the terminal event gives ({@code in_progress} until then; {@code done}:
 * {@code completed}, or {@code incomplete} with reason {@code max_output_tokens} when its
 * {@code finish_reason} is {@code length}; {@code error}: {@code failed} with the error's code and
 * message; {@code cancelled}: {@code cancelled}).
 *
 * <p>The object is made from the log (the stream's meta and events) and the response's
 * {@link ResponseRecord} (kept in the conversations' store), so every node gives the same object for
 * the same events: {@code instructions}, {@code max_output_tokens} and {@code previous_response_id}
 * echo the request (null once the record expired). Ids: the response is {@code resp_<key>} and its message {@code msg_<key>},
 * for the stream {@code st_<key>}.
 */
final class ResponseState {

  private static final String STREAM_PREFIX = "st_";
  private static final String RESPONSE_PREFIX = "resp_";

  private final StreamMeta meta;
  private final ResponseRecord record;
  private final StringBuilder text = new StringBuilder();
  private JsonObject usage;
  private Event terminal;

  ResponseState(StreamMeta meta, ResponseRecord record) {
    this.meta = meta;
    this.record = record;
  }

  /** {@code resp_<key>} for the stream {@code st_<key>}. */
  static String responseId(String stream) {
    return RESPONSE_PREFIX + stream.substring(STREAM_PREFIX.length());
  }

  /** The stream of a response id; {@code stream_not_found} for an id of another shape. */
  static String streamOf(String responseId) {
    String stream = responseId != null && responseId.startsWith(RESPONSE_PREFIX)
        ? STREAM_PREFIX + responseId.substring(RESPONSE_PREFIX.length())
        : "";
    if (!StreamIds.looksValid(stream)) {
      throw new HubException(ErrorCode.STREAM_NOT_FOUND, "no response '" + responseId + "'");
    }
    return stream;
  }

  String id() {
    return responseId(meta.id());
  }

  String itemId() {
    return "msg_" + meta.id().substring(STREAM_PREFIX.length());
  }

  /** Takes one event; returns the text a {@code delta} added, or null for any other event. */
  String add(Event event) {
    switch (event.type()) {
      case DELTA: {
        String piece = event.data().getString("text", "");
        text.append(piece);
        return piece;
      }
      case USAGE:
        usage = event.data();
        return null;
      case DONE:
      case ERROR:
      case CANCELLED:
        terminal = event;
        return null;
      default:
        return null;
    }
  }

  String text() {
    return text.toString();
  }

  boolean ended() {
    return terminal != null;
  }

  /** {@code in_progress}, {@code completed}, {@code incomplete}, {@code failed} or {@code cancelled}. */
  String status() {
    if (terminal == null) {
      return "in_progress";
    }
    switch (terminal.type()) {
      case DONE:
        return "length".equals(terminal.data().getString("finish_reason")) ? "incomplete" : "completed";
      case ERROR:
        return "failed";
      default:
        return "cancelled";
    }
  }

  /** The output_text content part with the text so far. */
  JsonObject part() {
    return new JsonObject().put("type", "output_text").put("text", text()).put("annotations", new JsonArray())
        .put("logprobs", new JsonArray());
  }

  /** The assistant message item: no content until {@code withContent}, status from the stream's. */
  JsonObject item(boolean withContent) {
    String status = status();
    return new JsonObject()
        .put("id", itemId())
        .put("type", "message")
        .put("status", status.equals("in_progress") || status.equals("completed") ? status : "incomplete")
        .put("role", "assistant")
        .put("content", withContent ? new JsonArray().add(part()) : new JsonArray());
  }

  /** The {@code response} object now; {@code withOutput} false for the wrapper events before any text. */
  JsonObject response(boolean withOutput) {
    String status = status();
    JsonObject error = null;
    if (status.equals("failed")) {
      error = new JsonObject()
          .put("code", terminal.data().getString("code", ErrorCode.INTERNAL_ERROR.code()))
          .put("message", terminal.data().getString("message", "error"));
    }
    return new JsonObject()
        .put("id", id())
        .put("object", "response")
        .put("created_at", meta.createdAt() / 1000)
        .put("status", status)
        .put("error", error)
        .put("incomplete_details", status.equals("incomplete") ? new JsonObject().put("reason", "max_output_tokens") : null)
        .put("instructions", record.instructions())
        .put("max_output_tokens", record.maxOutputTokens())
        .put("model", meta.model())
        .put("output", withOutput ? new JsonArray().add(item(true)) : new JsonArray())
        .put("parallel_tool_calls", false)
        .put("previous_response_id", record.previousResponseId())
        .put("store", true)
        .put("temperature", null)
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", "auto")
        .put("tools", new JsonArray())
        .put("top_p", null)
        .put("truncation", "disabled")
        .put("metadata", new JsonObject())
        .put("usage", usage());
  }

  private JsonObject usage() {
    if (usage == null) {
      return null;
    }
    int input = usage.getInteger("prompt_tokens", 0);
    int output = usage.getInteger("completion_tokens", 0);
    return new JsonObject()
        .put("input_tokens", input)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
        .put("output_tokens", output)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
        .put("total_tokens", input + output);
  }
}
