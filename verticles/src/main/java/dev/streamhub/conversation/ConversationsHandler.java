package dev.streamhub.conversation;

import dev.streamhub.session.Owners;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/conversations/{id}}: the caller's conversation, {@code {id, object:"conversation",
 * owner, created, turns:[{role, content, stream, status, error}]}}; {@code DELETE} removes it and
 * answers {@code {id, object:"conversation.deleted", deleted:true}}. Another principal's or an
 * unknown id: 404 {@code conversation_not_found}; store down: 503 {@code store_unavailable}.
 */
public final class ConversationsHandler {

  private final Conversations conversations;

  public ConversationsHandler(Conversations conversations) {
    this.conversations = conversations;
  }

  public void mount(Router router) {
    router.get("/v1/conversations/:id").handler(this::get);
    router.delete("/v1/conversations/:id").handler(this::delete);
  }

  private void get(RoutingContext rc) {
    conversations.get(rc.pathParam("id"), Owners.of(rc))
        .onSuccess(conversation -> {
          JsonObject body = conversation.toJson();
          body.remove("created_ms");
          json(rc, body);
        })
        .onFailure(rc::fail);
  }

  private void delete(RoutingContext rc) {
    String id = rc.pathParam("id");
    conversations.delete(id, Owners.of(rc))
        .onSuccess(deleted -> json(rc, new JsonObject().put("id", id).put("object", "conversation.deleted").put("deleted", true)))
        .onFailure(rc::fail);
  }

  private static void json(RoutingContext rc, JsonObject body) {
    rc.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
