package dev.streamhub.transport;

import dev.streamhub.HubClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Reads by long-poll ({@code GET /v1/streams/{id}/poll?from=&timeout=}), following {@code next}. */
final class PollReader implements StreamReader {

  private final HubClient client;

  PollReader(Vertx vertx, int port) {
    this.client = new HubClient(vertx, port);
  }

  @Override
  public Future<List<JsonObject>> readAll(String stream, long from) {
    return kept(poll(stream, from, Integer.MAX_VALUE, new ArrayList<>(), After.NONE));
  }

  @Override
  public Future<List<JsonObject>> readAllAfter(String stream, long from, int count, Supplier<Future<?>> thenDo) {
    return kept(poll(stream, from, Integer.MAX_VALUE, new ArrayList<>(), new After(count, thenDo)));
  }

  @Override
  public Future<List<JsonObject>> readSome(String stream, long from, int count) {
    return kept(poll(stream, from, count, new ArrayList<>(), After.NONE).map(events -> events.subList(0, count)));
  }

  @Override
  public Future<Refusal> refusal(String stream, String from) {
    return kept(client.get(uri(stream, from)).map(resp -> new Refusal(resp.statusCode(),
        resp.bodyAsJsonObject().getJsonObject("error").getString("code"))));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  /** Polls on until {@code count} events or the end; the next poll goes out while {@code after}'s action runs. */
  private Future<List<JsonObject>> poll(String stream, long from, int count, List<JsonObject> got, After after) {
    return client.get(uri(stream, Long.toString(from))).compose(resp -> {
      if (resp.statusCode() != 200) {
        return Future.failedFuture(new AssertionError("poll: " + resp.statusCode() + " " + resp.bodyAsString()));
      }
      JsonObject body = resp.bodyAsJsonObject();
      JsonArray events = body.getJsonArray("events");
      events.forEach(e -> got.add((JsonObject) e));
      Future<?> action = after.reached(got.size());
      if (body.getBoolean("done") || got.size() >= count) {
        return action.map(got);
      }
      return Future.all(action, poll(stream, body.getLong("next"), count, got, after)).map(got);
    });
  }

  /** What to run, once, when {@code count} events have arrived. */
  private static final class After {
    static final After NONE = new After(Integer.MAX_VALUE, null);

    private final int count;
    private final Supplier<Future<?>> action;
    private boolean ran;

    After(int count, Supplier<Future<?>> action) {
      this.count = count;
      this.action = action;
    }

    /** Starts the action when {@code received} reaches the count for the first time; yields its outcome (or a succeeded future). */
    Future<?> reached(int received) {
      if (ran || action == null || received < count) {
        return Future.succeededFuture();
      }
      ran = true;
      return action.get();
    }
  }

  private static String uri(String stream, String from) {
    return "/v1/streams/" + stream + "/poll?timeout=5&from=" + from;
  }

  /**
   * {@code read} with this reader (and so its client) reachable until the read ends: Vert.x 5 shuts
   * down a client the garbage collector finds unreferenced and closes its connections, even in the
   * middle of a read (vert.x#5839), and a test often drops its reader as soon as it has the future.
   */
  private <T> Future<T> kept(Future<T> read) {
    return read.andThen(done -> Reference.reachabilityFence(this));
  }
}
