package dev.streamhub.transport.ws;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.Offsets;
import dev.streamhub.worker.GenerateRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** A client message on {@code /v1/ws}: one JSON text frame with a {@code type}. */
public sealed interface WsMessage permits WsMessage.Create, WsMessage.Subscribe, WsMessage.Unsubscribe, WsMessage.Cancel, WsMessage.Ping {

  /** {@code response.create}: the body of {@code /v1/chat/completions}, plus an optional {@code request_id}. */
  record Create(String requestId, GenerateRequest request) implements WsMessage {}

  /**
   * {@code stream.subscribe}: events of {@code stream} from offset {@code from} on (default 0);
   * {@code compact} (default false) sends the catch-up from the log as one {@code snapshot} event.
   */
  record Subscribe(String stream, long from, boolean compact) implements WsMessage {}

  /** {@code stream.unsubscribe}: no more events of {@code stream} on this socket. */
  record Unsubscribe(String stream) implements WsMessage {}

  /** {@code response.cancel}: stop the generation of {@code stream}. */
  record Cancel(String stream) implements WsMessage {}

  /** {@code ping}: answered by {@code pong} with the same {@code id}. */
  record Ping(Object id) implements WsMessage {}

  /** Parses one text frame; anything malformed is a {@code bad_request} (or {@code bad_offset}). */
  static WsMessage parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw bad("a message must be a JSON object");
    }
    Object type = json.getValue("type");
    if (!(type instanceof String)) {
      throw bad("a message needs a string 'type'");
    }
    switch ((String) type) {
      case "response.create":
        return new Create(optionalString(json, "request_id"), GenerateRequest.fromClient(json));
      case "stream.subscribe":
        return new Subscribe(stream(json), from(json), compact(json));
      case "stream.unsubscribe":
        return new Unsubscribe(stream(json));
      case "response.cancel":
        return new Cancel(stream(json));
      case "ping":
        return new Ping(json.getValue("id"));
      default:
        throw bad("unknown message type '" + type + "'; expected response.create, stream.subscribe, stream.unsubscribe, response.cancel or ping");
    }
  }

  private static String stream(JsonObject json) {
    Object stream = json.getValue("stream");
    if (!(stream instanceof String) || ((String) stream).isEmpty()) {
      throw bad("'stream' is required and must be a stream id");
    }
    return (String) stream;
  }

  private static long from(JsonObject json) {
    Object from = json.getValue("from");
    if (from == null) {
      return 0;
    }
    return Offsets.parse("from", from.toString());
  }

  private static boolean compact(JsonObject json) {
    Object compact = json.getValue("compact");
    if (compact == null) {
      return false;
    }
    if (!(compact instanceof Boolean)) {
      throw bad("'compact' must be true or false");
    }
    return (Boolean) compact;
  }

  private static String optionalString(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw bad("'" + field + "' must be a string");
    }
    return (String) value;
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
