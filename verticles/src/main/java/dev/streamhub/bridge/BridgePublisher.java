package dev.streamhub.bridge;

import dev.streamhub.publish.PublishedEvents;
import dev.streamhub.publish.Publisher;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The consumer of {@code streamhub.publish}: a bridge worker's {@code {"stream","events":[...]}}
 * appended through the {@link Publisher}, in the order the messages arrived for each stream. Replies
 * with the receipt, or fails with the HTTP status of the error and the message
 * {@code "<code>: <explanation>"}.
 */
final class BridgePublisher {

  private final Publisher publisher;
  private final Map<String, Future<List<Event>>> tails = new HashMap<>();

  BridgePublisher(Publisher publisher) {
    this.publisher = publisher;
  }

  void handle(Message<Object> message) {
    Object body = message.body();
    if (!(body instanceof JsonObject) || !(((JsonObject) body).getValue("stream") instanceof String)) {
      fail(message, new HubException(ErrorCode.BAD_REQUEST, "the body must be {\"stream\":\"st_...\",\"events\":[{\"type\",\"data\"}, ...]}"));
      return;
    }
    String stream = ((JsonObject) body).getString("stream");
    Future<List<Event>> written;
    try {
      var events = PublishedEvents.parse(((JsonObject) body).getValue("events"));
      written = tails.getOrDefault(stream, Future.succeededFuture()).transform(previous -> publisher.publishGenerated(stream, events));
    } catch (HubException e) {
      fail(message, e);
      return;
    }
    tails.put(stream, written);
    written
        .andThen(done -> tails.remove(stream, written))
        .onSuccess(events -> message.reply(Publisher.receipt(stream, events)))
        .onFailure(err -> fail(message, HubException.of(err)));
  }

  private static void fail(Message<Object> message, HubException error) {
    message.fail(error.code().status(), error.code().code() + ": " + error.getMessage());
  }
}
