package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.BiFunction;

/**
 * Native SSE: {@code GET /v1/streams/{id}/events?from=N}, parsed as the bytes arrive. A peer that
 * also speaks SSE (Nchan) reuses this reader with its own path and {@link Decoder}.
 */
public final class SseTransport implements Transport {

  /** Turns one SSE event into listener calls. */
  public interface Decoder {
    /** @return true when it was the stream's last event: the reader then ends and closes its connection */
    boolean decode(String id, String type, String data, long atMicros, StreamListener listener);
  }

  /** The hub's events: the offset is the SSE id, {@code ts} is in the JSON; the hub ends the response itself. */
  static final Decoder HUB = (id, type, data, atMicros, listener) -> {
    listener.onEvent(EventFields.offset(id), type, EventFields.ts(data), data, atMicros);
    return false;
  };

  private final HttpClient client;
  private final Target target;
  private final BiFunction<String, Long, String> path;
  private final Decoder decoder;

  public SseTransport(HttpClient client, Target target) {
    this(client, target, (stream, from) -> "/v1/streams/" + stream + "/events?from=" + from, HUB);
  }

  SseTransport(HttpClient client, Target target, BiFunction<String, Long, String> path, Decoder decoder) {
    this.client = client;
    this.target = target;
    this.path = path;
    this.decoder = decoder;
  }

  @Override
  public String name() {
    return "sse";
  }

  @Override
  public Reading read(String stream, long from, StreamListener listener) {
    return read(stream, from, false, listener);
  }

  @Override
  public Reading read(String stream, long from, boolean compact, StreamListener listener) {
    SseReading reading = new SseReading(listener, decoder);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(target.host())
        .setPort(target.port())
        .setURI(path.apply(stream, from) + (compact ? "&compact=true" : ""))
        .putHeader("Accept", "text/event-stream");
    client.request(Credentials.apply(options))
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
    private final Decoder decoder;
    private final SseParser parser = new SseParser(this);
    private final Promise<Void> done = Promise.promise();
    private HttpClientRequest request;
    private boolean cancelled;
    private long chunkAt;

    SseReading(StreamListener listener, Decoder decoder) {
      this.listener = listener;
      this.decoder = decoder;
    }

    void onChunk(Buffer chunk) {
      chunkAt = Clock.micros();
      listener.onBytes(chunk.length());
      parser.feed(chunk.getBytes());
    }

    @Override
    public void onEvent(String id, String type, String data) {
      if (decoder.decode(id, type, data, chunkAt, listener) && !done.future().isComplete()) {
        done.tryComplete();
        close();
      }
    }

    @Override
    public Future<Void> done() {
      return done.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      done.tryComplete();
      close();
    }

    private void close() {
      if (request != null) {
        request.reset();
        if (request.connection() != null) {
          request.connection().close();
        }
      }
    }
  }
}
