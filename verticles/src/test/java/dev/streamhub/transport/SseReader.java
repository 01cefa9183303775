package dev.streamhub.transport;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Reads native SSE ({@code GET /v1/streams/{id}/events?from=}). */
final class SseReader implements StreamReader {

  private final HubClient client;

  SseReader(Vertx vertx, int port) {
    this.client = new HubClient(vertx, port);
  }

  @Override
  public Future<List<JsonObject>> readAll(String stream, long from) {
    return kept(client.openSse(uri(stream, Long.toString(from)), MultiMap.caseInsensitiveMultiMap())
        .compose(HubClient.LiveSse::ended)
        .map(SseReader::events));
  }

  @Override
  public Future<List<JsonObject>> readAllAfter(String stream, long from, int count, Supplier<Future<?>> thenDo) {
    return kept(client.openSse(uri(stream, Long.toString(from)), MultiMap.caseInsensitiveMultiMap())
        .compose(live -> live.until(frames -> events(frames).size() >= count)
            .compose(caughtUp -> thenDo.get())
            .compose(done -> live.ended()))
        .map(SseReader::events));
  }

  @Override
  public Future<List<JsonObject>> readSome(String stream, long from, int count) {
    return kept(client.openSse(uri(stream, Long.toString(from)), MultiMap.caseInsensitiveMultiMap())
        .compose(live -> live.until(frames -> events(frames).size() >= count)
            .compose(frames -> live.disconnect().map(events(frames).subList(0, count)))));
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

  private static String uri(String stream, String from) {
    return "/v1/streams/" + stream + "/events?from=" + from;
  }

  static List<JsonObject> events(List<SseFrame> frames) {
    List<JsonObject> events = new ArrayList<>();
    for (SseFrame frame : SseFrame.events(frames)) {
      JsonObject event = new JsonObject(frame.data());
      if (!frame.id().equals(Long.toString(event.getLong("offset"))) || !frame.event().equals(event.getString("type"))) {
        throw new AssertionError("SSE id/event lines disagree with the data: " + frame.raw());
      }
      events.add(event);
    }
    return events;
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
