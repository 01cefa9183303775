package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

/**
 * The resumable-stream peer as {@code bench/resumable-stream/server.mjs} serves it: create by
 * {@code POST /streams} (201 {@code {"stream"}}), publish by {@code POST /streams/<id>/events}
 * (200), read by SSE on {@code GET /streams/<id>/events} from the start (the package resumes by a
 * count of characters, {@code ?resumeAt=}, not by an event id). Each POST body is one SSE message
 * whose data is the body itself, so the reader decodes it like Nchan's ({@link NchanTransport}):
 * offset from {@code seq}, send time from {@code t}, the closing {@code [usage, done]} as two events.
 */
public final class ResumableStreamRelay implements Relay {

  @Override
  public String name() {
    return "resumable-stream";
  }

  @Override
  public Future<String> createStream(Shard shard, HttpClient client) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/streams");
    return client.request(options)
        .compose(request -> request.send(Buffer.buffer()))
        .compose(response -> response.body().compose(bytes -> response.statusCode() == 201
            ? Future.succeededFuture(new JsonObject(bytes).getString("stream"))
            : Future.failedFuture("POST /streams: HTTP " + response.statusCode() + ": " + bytes)));
  }

  @Override
  public String publishUri(String stream) {
    return "/streams/" + stream + "/events";
  }

  @Override
  public boolean published(int status) {
    return status == 200;
  }

  @Override
  public Transport transport(String name, HttpClient client, WebSocketClient wsClient, Target target) {
    if (!name.equals("sse")) {
      throw new IllegalArgumentException("the resumable-stream peer is read over SSE only, not " + name);
    }
    return new Transport() {
      private final SseTransport sse = new SseTransport(client, target, (stream, from) -> {
        if (from != 0) {
          throw new IllegalArgumentException("resumable-stream readers start from the beginning (from=0), not " + from);
        }
        return "/streams/" + stream + "/events";
      }, NchanTransport::decode);

      @Override
      public String name() {
        return "sse";
      }

      @Override
      public Reading read(String stream, long from, StreamListener listener) {
        return sse.read(stream, from, listener);
      }
    };
  }
}
