package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** Native SSE: {@code GET /v1/streams/{id}/events?from=N}, parsed as the bytes arrive. */
public final class SseTransport implements Transport {

  private final HttpClient client;
  private final Target target;

  public SseTransport(HttpClient client, Target target) {
    this.client = client;
    this.target = target;
  }

  @Override
  public String name() {
    return "sse";
  }

  @Override
  public Reading read(String stream, long from, StreamListener listener) {
    SseReading reading = new SseReading(listener);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(target.host())
        .setPort(target.port())
        .setURI("/v1/streams/" + stream + "/events?from=" + from)
        .putHeader("Accept", "text/event-stream");
    client.request(options)
        .compose(request -> {
          reading.request = request;
          if (reading.cancelled) {
            request.reset();
          }
          return request.send();
        })
        .onFailure(reading.done::tryFail)
        .onSuccess(response -> {
          if (response.statusCode() != 200) {
            response.body().onComplete(body -> reading.done.tryFail(new IllegalStateException(
                "HTTP " + response.statusCode() + (body.succeeded() ? ": " + body.result() : ""))));
            return;
          }
          listener.onOpen(Clock.micros());
          response.handler(reading::onChunk);
          response.exceptionHandler(reading.done::tryFail);
          response.endHandler(end -> reading.done.tryComplete());
        });
    return reading;
  }

  private static final class SseReading implements Reading, SseParser.Listener {
    private final StreamListener listener;
    private final SseParser parser = new SseParser(this);
    private final Promise<Void> done = Promise.promise();
    private HttpClientRequest request;
    private boolean cancelled;
    private long chunkAt;

    SseReading(StreamListener listener) {
      this.listener = listener;
    }

    void onChunk(Buffer chunk) {
      chunkAt = Clock.micros();
      parser.feed(chunk.getBytes());
    }

    @Override
    public void onEvent(String id, String type, String data) {
      listener.onEvent(EventFields.offset(id), type, EventFields.ts(data), data, chunkAt);
    }

    @Override
    public Future<Void> done() {
      return done.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      done.tryComplete();
      if (request != null) {
        request.reset();
        if (request.connection() != null) {
          request.connection().close();
        }
      }
    }
  }
}
