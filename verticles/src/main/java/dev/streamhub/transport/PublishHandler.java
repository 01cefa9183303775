package dev.streamhub.transport;

import dev.streamhub.session.Owners;
import dev.streamhub.publish.PublishedEvents;
import dev.streamhub.publish.Publisher;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The HTTP publish API: {@code POST /v1/streams/{id}/events} appends one event or an array of
 * events to an external stream and answers {@code {"stream","first_offset","next_offset","finished"}}.
 * External streams are created by {@code POST /v1/streams} with {@code {"publisher":"external"}}
 * ({@link #create}).
 */
public final class PublishHandler {

  public static final String PUBLISHER = "publisher";

  private final Publisher publisher;

  public PublishHandler(Publisher publisher) {
    this.publisher = publisher;
  }

  public void mount(Router router) {
    router.post("/v1/streams/:id/events").handler(this::publish);
  }

  /** Whether a {@code POST /v1/streams} body asks for an external stream rather than a generation. */
  static boolean wantsExternal(JsonObject body) {
    return body.containsKey(PUBLISHER);
  }

  /** Creates the external stream a {@code POST /v1/streams} body with {@code publisher} asks for. */
  Future<StreamMeta> create(JsonObject body, String owner) {
    if (!StreamMeta.EXTERNAL.equals(body.getValue(PUBLISHER))) {
      return Future.failedFuture(bad("'publisher' must be \"external\" (or absent, with 'model' and 'messages', for a generation)"));
    }
    for (String field : body.fieldNames()) {
      if (!field.equals(PUBLISHER)) {
        return Future.failedFuture(bad("an external stream takes no '" + field + "'; send only {\"publisher\":\"external\"}"));
      }
    }
    return publisher.create(owner);
  }

  private void publish(RoutingContext rc) {
    String stream = rc.pathParam("id");
    Future.succeededFuture(rc.body().buffer())
        .map(PublishHandler::parse)
        .compose(events -> publisher.publish(stream, Owners.of(rc), events))
        .onSuccess(written -> rc.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(Publisher.receiptText(stream, written)))
        .onFailure(rc::fail);
  }

  private static List<NewEvent> parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw bad("the request body must be an event object {\"type\",\"data\"} or an array of them");
    }
    try {
      return PublishedEvents.parse(body.toJsonValue());
    } catch (DecodeException e) {
      throw bad("the request body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static HubException bad(String message) {
    return new HubException(ErrorCode.BAD_REQUEST, message);
  }
}
