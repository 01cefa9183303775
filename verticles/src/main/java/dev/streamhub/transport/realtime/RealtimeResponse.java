package dev.streamhub.transport.realtime;

import dev.streamhub.session.Session;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One Realtime response: the reader of its stream, written to the socket as
 * {@code response.created}, one {@code response.output_text.delta} per {@code delta} event, then at
 * the terminal event {@code response.output_text.done} and {@code response.done} with the status
 * ({@code completed}; {@code incomplete} for {@code finish_reason: length}; {@code failed} with the
 * error; {@code cancelled}). The response id is {@code resp_<key>} of the stream {@code st_<key>},
 * the same stream {@code /v1/streams/st_<key>/events} reads.
 */
final class RealtimeResponse implements Sink {

  private final RealtimeConnection connection;
  private final Generations generations;
  private final StringBuilder text = new StringBuilder();
  private StreamMeta meta;
  private String id;
  private String itemId;
  private Event terminal;
  /** {@code response.cancel} came before the generation had its stream: cancelled as soon as it has. */
  private boolean cancelRequested;

  RealtimeResponse(RealtimeConnection connection, Generations generations) {
    this.connection = connection;
    this.generations = generations;
  }

  /** Announces the response and reads its stream from offset 0 on the connection's session. */
  Future<Void> begin(Session session, StreamMeta meta) {
    this.meta = meta;
    String key = meta.id().substring("st_".length());
    this.id = "resp_" + key;
    this.itemId = "item_" + key;
    connection.send(new JsonObject().put("type", "response.created").put("response", response("in_progress", new JsonArray())));
    if (cancelRequested) {
      cancel().onFailure(err -> connection.error(null, HubException.of(err)));
    }
    return session.read(meta.id(), 0, this).mapEmpty();
  }

  /** Cancels the generation: the stream ends with {@code cancelled}, then {@code response.done}. */
  Future<Void> cancel() {
    if (meta == null) {
      cancelRequested = true;
      return Future.succeededFuture();
    }
    return generations.cancel(meta.id()).mapEmpty();
  }

  @Override
  public void send(Event event) {
    switch (event.type()) {
      case DELTA: {
        String piece = event.data().getString("text", "");
        text.append(piece);
        connection.send(part(new JsonObject().put("type", "response.output_text.delta")).put("delta", piece));
        break;
      }
      case DONE:
      case ERROR:
      case CANCELLED:
        terminal = event;
        break;
      default:
        break;
    }
  }

  @Override
  public boolean writeQueueFull() {
    return connection.socket().writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    connection.socket().drainHandler(handler);
  }

  @Override
  public void end() {
    String status = status();
    JsonObject item = new JsonObject().put("id", itemId).put("object", "realtime.item").put("type", "message")
        .put("status", status.equals("completed") ? "completed" : "incomplete").put("role", "assistant")
        .put("content", new JsonArray().add(new JsonObject().put("type", "output_text").put("text", text.toString())));
    connection.send(part(new JsonObject().put("type", "response.output_text.done")).put("text", text.toString()));
    JsonObject response = response(status, new JsonArray().add(item));
    if (status.equals("failed")) {
      response.put("status_details", new JsonObject().put("type", "failed").put("error", new JsonObject()
          .put("code", terminal.data().getString("code")).put("message", terminal.data().getString("message"))));
    } else if (status.equals("incomplete")) {
      response.put("status_details", new JsonObject().put("type", "incomplete").put("reason", "max_output_tokens"));
    } else if (status.equals("cancelled")) {
      response.put("status_details", new JsonObject().put("type", "cancelled").put("reason", "client_cancelled"));
    }
    connection.finished(this, item);
    connection.send(new JsonObject().put("type", "response.done").put("response", response));
  }

  @Override
  public void fail(HubException error) {
    connection.finished(this, new JsonObject().put("content", new JsonArray().add(new JsonObject().put("text", text.toString()))));
    connection.error(null, error);
  }

  private String status() {
    if (terminal == null) {
      return "failed";
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

  private JsonObject part(JsonObject event) {
    return event.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
  }

  private JsonObject response(String status, JsonArray output) {
    return new JsonObject().put("id", id).put("object", "realtime.response").put("status", status).put("output", output)
        .put("conversation_id", null).put("output_modalities", new JsonArray().add("text"));
  }
}
