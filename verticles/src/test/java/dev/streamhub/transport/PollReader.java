package dev.streamhub.transport;

import dev.streamhub.HubClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Reads by long-poll ({@code GET /v1/streams/{id}/poll?from=&timeout=}), following {@code next}. */
final class PollReader implements StreamReader {

  private final HubClient client;

  PollReader(Vertx vertx, int port) {
    this.client = new HubClient(vertx, port);
  }

  @Override
  public Future<List<JsonObject>> readAll(String stream, long from) {
    return poll(stream, from, Integer.MAX_VALUE, new ArrayList<>());
  }

  @Override
  public Future<List<JsonObject>> readSome(String stream, long from, int count) {
    return poll(stream, from, count, new ArrayList<>()).map(events -> events.subList(0, count));
  }

  @Override
  public Future<Refusal> refusal(String stream, String from) {
    return client.get(uri(stream, from)).map(resp -> new Refusal(resp.statusCode(),
        resp.bodyAsJsonObject().getJsonObject("error").getString("code")));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private Future<List<JsonObject>> poll(String stream, long from, int count, List<JsonObject> got) {
    return client.get(uri(stream, Long.toString(from))).compose(resp -> {
      if (resp.statusCode() != 200) {
        return Future.failedFuture(new AssertionError("poll: " + resp.statusCode() + " " + resp.bodyAsString()));
      }
      JsonObject body = resp.bodyAsJsonObject();
      JsonArray events = body.getJsonArray("events");
      events.forEach(e -> got.add((JsonObject) e));
      if (body.getBoolean("done") || got.size() >= count) {
        return Future.succeededFuture(got);
      }
      return poll(stream, body.getLong("next"), count, got);
    });
  }

  private static String uri(String stream, String from) {
    return "/v1/streams/" + stream + "/poll?timeout=5&from=" + from;
  }
}
