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
import java.util.Arrays;
import java.util.Base64;

/**
 * One Realtime response: the reader of its stream, written to the socket as
 * {@code response.created}, one {@code response.output_text.delta} per {@code delta} event and one
 * {@code response.output_audio.delta} per {@code binary} event ({@code delta}: the event's bytes in
 * standard base64), in log order; then at the terminal event one done event per content part
 * ({@code response.output_text.done} with the whole text, {@code response.output_audio.done}) and
 * {@code response.done} with the status ({@code completed}; {@code incomplete} for
 * {@code finish_reason: length}; {@code failed} with the error; {@code cancelled}).
 *
 * <p>The response has one output item ({@code output_index} 0, {@code item_<key>}); its content
 * parts are numbered ({@code content_index}) in the order their first event arrives: a text-only
 * stream has its {@code output_text} part at 0 (and a stream with neither text nor audio an empty
 * one), a stream that starts with audio its {@code output_audio} part at 0 and its text at 1. The
 * event names are those of the GA Realtime protocol in {@code openai@6}
 * ({@code resources/realtime/realtime.d.ts}: {@code ResponseAudioDeltaEvent},
 * {@code ResponseAudioDoneEvent}); the beta's {@code response.audio.delta} is not sent. The
 * {@code output_audio} part in {@code response.done} carries no bytes (as OpenAI's does not):
 * they were the deltas, and stay in the log. The response id is {@code resp_<key>} of the stream
 * {@code st_<key>}, the same stream {@code /v1/streams/st_<key>/events} reads.
 */
final class RealtimeResponse implements Sink {

  private final RealtimeConnection connection;
  private final Generations generations;
  private final StringBuilder text = new StringBuilder();
  /** The content index of the text part, and of the audio part; -1 until its first event. */
  private int textIndex = -1;
  private int audioIndex = -1;
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
        if (textIndex < 0) {
          textIndex = parts();
        }
        connection.send(part(new JsonObject().put("type", "response.output_text.delta"), textIndex).put("delta", piece));
        break;
      }
      case BINARY: {
        if (audioIndex < 0) {
          audioIndex = parts();
        }
        connection.send(part(new JsonObject().put("type", "response.output_audio.delta"), audioIndex)
            .put("delta", canonicalBase64(event.data().getString("base64", ""))));
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
    if (textIndex < 0 && audioIndex < 0) {
      textIndex = 0;
    }
    JsonObject[] content = new JsonObject[parts()];
    if (textIndex >= 0) {
      content[textIndex] = new JsonObject().put("type", "output_text").put("text", text.toString());
    }
    if (audioIndex >= 0) {
      content[audioIndex] = new JsonObject().put("type", "output_audio");
    }
    JsonObject item = new JsonObject().put("id", itemId).put("object", "realtime.item").put("type", "message")
        .put("status", status.equals("completed") ? "completed" : "incomplete").put("role", "assistant")
        .put("content", new JsonArray(Arrays.asList((Object[]) content)));
    for (int index = 0; index < content.length; index++) {
      if (index == textIndex) {
        connection.send(part(new JsonObject().put("type", "response.output_text.done"), index).put("text", text.toString()));
      } else {
        connection.send(part(new JsonObject().put("type", "response.output_audio.done"), index));
      }
    }
    JsonObject response = response(status, new JsonArray().add(item));
    if (audioIndex >= 0) {
      response.put("output_modalities", textIndex >= 0 ? new JsonArray().add("text").add("audio") : new JsonArray().add("audio"));
    }
    if (status.equals("failed")) {
      response.put("status_details", new JsonObject().put("type", "failed").put("error", new JsonObject()
          .put("code", terminal.data().getString("code")).put("message", terminal.data().getString("message"))));
    } else if (status.equals("incomplete")) {
      response.put("status_details", new JsonObject().put("type", "incomplete").put("reason", "max_output_tokens"));
    } else if (status.equals("cancelled")) {
      response.put("status_details", new JsonObject().put("type", "cancelled").put("reason", "client_cancelled"));
    }
    connection.finished(this, text.toString());
    connection.send(new JsonObject().put("type", "response.done").put("response", response));
  }

  @Override
  public void fail(HubException error) {
    connection.finished(this, text.toString());
    connection.error(null, error);
  }

  /** How many content parts the item has so far. */
  private int parts() {
    return (textIndex >= 0 ? 1 : 0) + (audioIndex >= 0 ? 1 : 0);
  }

  /** The bytes of a {@code binary} event's {@code base64} (validated at publish) in standard, padded base64. */
  private static String canonicalBase64(String base64) {
    return Base64.getEncoder().encodeToString(Base64.getDecoder().decode(base64));
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

  private JsonObject part(JsonObject event, int contentIndex) {
    return event.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", contentIndex);
  }

  private JsonObject response(String status, JsonArray output) {
    return new JsonObject().put("id", id).put("object", "realtime.response").put("status", status).put("output", output)
        .put("conversation_id", null).put("output_modalities", new JsonArray().add("text"));
  }
}
