package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Long-poll: {@code GET /v1/streams/{id}/poll?from=N&timeout=S} on a kept-alive connection, again
 * from {@code next} after each answer, until {@code done}. The reader counts as open when its first
 * request is sent (a poll answers only when there is an event, or at the timeout).
 */
public final class PollTransport implements Transport {

  public static final int DEFAULT_TIMEOUT_S = 25;

  private final HttpClient client;
  private final Target target;
  private final int timeoutS;

  public PollTransport(HttpClient client, Target target, int timeoutS) {
    this.client = client;
    this.target = target;
    this.timeoutS = timeoutS;
  }

  @Override
  public String name() {
    return "poll";
  }

  @Override
  public Reading read(String stream, long from, StreamListener listener) {
    return read(stream, from, false, listener);
  }

  @Override
  public Reading read(String stream, long from, boolean compact, StreamListener listener) {
    PollReading reading = new PollReading(stream, compact, listener);
    reading.poll(from);
    return reading;
  }

  private final class PollReading implements Reading {
    private final String stream;
    private final StreamListener listener;
    private final boolean compact;
    private final Promise<Void> done = Promise.promise();
    private HttpClientRequest request;
    private boolean opened;
    private boolean cancelled;
    private boolean inFlight;
    private long polls;

    PollReading(String stream, boolean compact, StreamListener listener) {
      this.stream = stream;
      this.compact = compact;
      this.listener = listener;
    }

    void poll(long from) {
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.GET)
          .setHost(target.host())
          .setPort(target.port())
          .setURI("/v1/streams/" + stream + "/poll?from=" + from + "&timeout=" + timeoutS + (compact ? "&compact=true" : ""));
      client.request(Credentials.apply(options))
          .compose(req -> {
            request = req;
            inFlight = true;
            if (cancelled) {
              req.reset();
            }
            Future<io.vertx.core.http.HttpClientResponse> sent = req.send();
            if (!opened) {
              opened = true;
              listener.onOpen(Clock.micros());
            }
            return sent;
          })
          .compose(response -> response.body().compose(body -> response.statusCode() == 200
              ? Future.succeededFuture(body)
              : Future.failedFuture(new IllegalStateException("HTTP " + response.statusCode() + ": " + body))))
          .onSuccess(this::onAnswer)
          .onFailure(done::tryFail);
    }

    private void onAnswer(Buffer body) {
      long at = Clock.micros();
      listener.onBytes(body.length());
      inFlight = false;
      polls++;
      if (done.future().isComplete()) {
        return;
      }
      JsonObject answer = new JsonObject(body);
      JsonArray events = answer.getJsonArray("events");
      for (int i = 0; i < events.size(); i++) {
        JsonObject e = events.getJsonObject(i);
        listener.onEvent(e.getLong("offset", -1L), e.getString("type", "message"), e.getLong("ts", -1L), e.encode(), at);
      }
      if (answer.getBoolean("done", false)) {
        done.tryComplete();
      } else {
        poll(answer.getLong("next"));
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
      // Between polls the connection is back in the shared pool: only a poll in flight is reset.
      if (request != null && inFlight) {
        request.reset();
      }
    }

    @Override
    public String toString() {
      return "poll reading of " + stream + " (" + polls + " answers)";
    }
  }
}
