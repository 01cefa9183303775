package dev.streamhub.transport.realtime;

import dev.streamhub.session.Framing;
import dev.streamhub.session.Owners;
import dev.streamhub.session.Session;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.Generations;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;

/**
 * One Realtime WebSocket: the conversation (its items, kept on this connection only), the session's
 * instructions, and at most one response at a time.
 *
 * <p>Client events: {@code session.update} ({@code session.instructions},
 * {@code session.max_output_tokens}, {@code session.type} "realtime", {@code session.model} equal to
 * the URL's, {@code session.output_modalities} / {@code modalities} only {@code ["text"]}) answered
 * {@code session.updated}; {@code conversation.item.create} (a {@code message} item of role
 * {@code user}, {@code system} or {@code assistant} with {@code input_text} / {@code text} /
 * {@code output_text} parts) answered {@code conversation.item.created}; {@code response.create}
 * (optional {@code response.instructions}, {@code response.max_output_tokens}) starts a generation
 * over the whole conversation: {@code response.created}, {@code response.output_text.delta} ...
 * (and {@code response.output_audio.delta} for the {@code binary} events a worker publishes, see
 * {@link RealtimeResponse}), {@code response.output_text.done} ({@code response.output_audio.done}),
 * {@code response.done} (status {@code completed},
 * {@code incomplete}, {@code failed} or {@code cancelled}); {@code response.cancel} cancels it (the
 * worker stops within one token time, the log ends with {@code cancelled}). Anything else, an
 * unknown field, or a second {@code response.create} while one runs, is an {@code error} event
 * {@code {"type":"error","error":{"type","code","message","event_id"}}}; the socket stays open.
 * As a {@link Framing}: a drain closes the socket with 1012.
 */
final class RealtimeConnection implements Framing {

  private static final Set<String> SESSION_FIELDS = Set.of("type", "model", "instructions", "max_output_tokens",
      "output_modalities", "modalities");

  private final Generations generations;
  private final String model;
  private final JsonArray conversation = new JsonArray();
  private final String sessionId = "sess_" + UUID.randomUUID().toString().replace("-", "");
  private Session session;
  private ServerWebSocket ws;
  private String instructions;
  private int maxOutputTokens;
  private int items;
  private RealtimeResponse active;

  RealtimeConnection(Generations generations, String model) {
    this.generations = generations;
    this.model = model;
  }

  void start(Session session, ServerWebSocket ws) {
    this.session = session;
    this.ws = ws;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(gone -> session.close());
    send(new JsonObject().put("type", "session.created").put("session", sessionObject()));
  }

  void send(JsonObject event) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(event.put("event_id", "event_" + Long.toHexString(System.nanoTime())).encode());
    }
  }

  ServerWebSocket socket() {
    return ws;
  }

  /**
   * The finished response's text joins the conversation as the assistant's message (its audio does
   * not: workers get text messages), and the connection can take the next.
   */
  void finished(RealtimeResponse response, String text) {
    if (active == response) {
      active = null;
    }
    conversation.add(new JsonObject().put("role", "assistant").put("content", text));
  }

  private void onText(String text) {
    JsonObject event;
    try {
      event = new JsonObject(text);
    } catch (DecodeException e) {
      error(null, new HubException(ErrorCode.BAD_REQUEST, "a client event must be a JSON object"));
      return;
    }
    String eventId = event.getString("event_id");
    try {
      String type = String.valueOf(event.getValue("type"));
      switch (type) {
        case "session.update":
          updateSession(event.getJsonObject("session", new JsonObject()));
          send(new JsonObject().put("type", "session.updated").put("session", sessionObject()));
          break;
        case "conversation.item.create":
          send(new JsonObject().put("type", "conversation.item.created").put("previous_item_id", null)
              .put("item", addItem(event.getJsonObject("item"))));
          break;
        case "response.create":
          createResponse(eventId, event.getJsonObject("response", new JsonObject()));
          break;
        case "response.cancel":
          if (active == null) {
            throw new HubException(ErrorCode.BAD_REQUEST, "no response is in progress");
          }
          active.cancel().onFailure(err -> error(eventId, HubException.of(err)));
          break;
        default:
          throw new HubException(ErrorCode.BAD_REQUEST, "event type '" + type + "' is not supported; supported: session.update, "
              + "conversation.item.create, response.create, response.cancel");
      }
    } catch (HubException e) {
      error(eventId, e);
    } catch (ClassCastException e) {
      error(eventId, new HubException(ErrorCode.BAD_REQUEST, "malformed event: " + e.getMessage()));
    }
  }

  private void updateSession(JsonObject update) {
    for (String field : update.fieldNames()) {
      if (!SESSION_FIELDS.contains(field)) {
        throw new HubException(ErrorCode.BAD_REQUEST, "'session." + field + "' is not supported; supported: " + SESSION_FIELDS);
      }
    }
    Object modalities = update.containsKey("output_modalities") ? update.getValue("output_modalities") : update.getValue("modalities");
    if (modalities != null && !new JsonArray().add("text").equals(modalities)) {
      throw new HubException(ErrorCode.BAD_REQUEST, "only text output is supported: output_modalities must be [\"text\"]");
    }
    if (update.containsKey("model") && !model.equals(update.getValue("model"))) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'session.model' must be the model of the URL, '" + model + "'");
    }
    if (update.containsKey("type") && !"realtime".equals(update.getValue("type"))) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'session.type' must be 'realtime'");
    }
    if (update.containsKey("instructions")) {
      instructions = update.getString("instructions");
    }
    if (update.containsKey("max_output_tokens")) {
      maxOutputTokens = maxTokens(update.getValue("max_output_tokens"));
    }
  }

  private JsonObject addItem(JsonObject item) {
    if (item == null || !"message".equals(item.getString("type", "message"))) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'item' must be a message item (other item types are not supported)");
    }
    String role = item.getString("role");
    if (!Set.of("user", "system", "assistant").contains(role)) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'item.role' must be user, system or assistant");
    }
    StringBuilder text = new StringBuilder();
    JsonArray content = item.getJsonArray("content", new JsonArray());
    for (int i = 0; i < content.size(); i++) {
      JsonObject part = content.getJsonObject(i);
      String type = part.getString("type");
      if (!Set.of("input_text", "text", "output_text").contains(type)) {
        throw new HubException(ErrorCode.BAD_REQUEST, "'item.content[" + i + "].type' '" + type + "' is not supported: text parts only");
      }
      text.append(part.getString("text", ""));
    }
    conversation.add(new JsonObject().put("role", role).put("content", text.toString()));
    String id = item.getString("id", "item_" + sessionId.substring(5) + "_" + (++items));
    return new JsonObject().put("id", id).put("object", "realtime.item").put("type", "message").put("status", "completed")
        .put("role", role).put("content", content);
  }

  private void createResponse(String eventId, JsonObject options) {
    if (active != null) {
      throw new HubException(ErrorCode.BAD_REQUEST, "conversation_already_has_active_response: cancel it or wait for response.done");
    }
    for (String field : options.fieldNames()) {
      if (!field.equals("instructions") && !field.equals("max_output_tokens")) {
        throw new HubException(ErrorCode.BAD_REQUEST, "'response." + field + "' is not supported; supported: instructions, max_output_tokens");
      }
    }
    JsonArray messages = new JsonArray();
    String system = options.getString("instructions", instructions);
    if (system != null) {
      messages.add(new JsonObject().put("role", "system").put("content", system));
    }
    messages.addAll(conversation);
    if (conversation.isEmpty()) {
      throw new HubException(ErrorCode.BAD_REQUEST, "the conversation is empty: send conversation.item.create first");
    }
    int max = options.containsKey("max_output_tokens") ? maxTokens(options.getValue("max_output_tokens")) : maxOutputTokens;
    // counted against the consumer's limits like every create path (concurrent streams, token budget)
    GenerateRequest request = new GenerateRequest(null, model, session.principal(), messages, max, null, true, false, null)
        .withQuota(Owners.quota(session.context()));
    RealtimeResponse response = new RealtimeResponse(this, generations);
    active = response;
    generations.start(request)
        .compose(meta -> response.begin(session, meta))
        .onFailure(err -> {
          if (active == response) {
            active = null;
          }
          error(eventId, HubException.of(err));
        });
  }

  private static int maxTokens(Object value) {
    if (value == null || "inf".equals(value)) {
      return 0;
    }
    if (!(value instanceof Integer) || (Integer) value < 1) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'max_output_tokens' must be a positive integer or \"inf\"");
    }
    return (Integer) value;
  }

  private JsonObject sessionObject() {
    return new JsonObject()
        .put("id", sessionId)
        .put("object", "realtime.session")
        .put("type", "realtime")
        .put("model", model)
        .put("output_modalities", new JsonArray().add("text"))
        .put("instructions", instructions)
        .put("max_output_tokens", maxOutputTokens == 0 ? "inf" : maxOutputTokens);
  }

  void error(String eventId, HubException error) {
    send(new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", error.code().type())
        .put("code", error.code().code())
        .put("message", error.getMessage())
        .put("param", null)
        .put("event_id", eventId)));
  }

  @Override
  public void letGo() {
    if (ws != null && !ws.isClosed()) {
      ws.close((short) 1012, "draining: reconnect to another node");
    }
  }
}
