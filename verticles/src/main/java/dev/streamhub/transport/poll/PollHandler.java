package dev.streamhub.transport.poll;

import dev.streamhub.config.PollConfig;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.transport.Offsets;
import dev.streamhub.transport.QueryParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/streams/{id}/poll?from=N&timeout=S}: the shared {@link Subscription} with a
 * {@link PollSink}. Answers as soon as events at or after {@code from} exist (everything already
 * there, up to the batch bounds), else when the first one arrives, else empty at the timeout.
 * {@code timeout} is a whole number of seconds ({@code 1.5} is {@code bad_request}, {@link QueryParams#seconds})
 * and clamped to {@code poll_max_timeout_seconds}. An offset past the end is {@code bad_offset} naming what
 * was sent ({@code from 9}, {@code lastEventId 8}). With
 * {@code compact=true} the events already in the log come as one {@code snapshot} event.
 */
public final class PollHandler {

  private final Vertx vertx;
  private final Sessions sessions;
  private final PollConfig config;

  public PollHandler(Vertx vertx, Sessions sessions, PollConfig config) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.config = config;
  }

  public void mount(Router router) {
    router.get("/v1/streams/:id/poll").handler(this::poll);
  }

  private void poll(RoutingContext rc) {
    Future.succeededFuture(rc)
        .compose(this::batch)
        .onSuccess(body -> rc.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
            .putHeader("X-Stream-Id", rc.pathParam("id"))
            .end(body))
        .onFailure(rc::fail);
  }

  /**
   * The body of one poll response, once there is something to say or the timeout passed. A drain
   * answers a held poll at once with what it has, as a timeout would; the next poll goes elsewhere.
   */
  private Future<String> batch(RoutingContext rc) {
    String stream = rc.pathParam("id");
    long from = Offsets.startOffset(rc);
    long timeoutMs = timeoutSeconds(rc) * 1000L;
    boolean compact = Offsets.compact(rc);
    PollSink sink = new PollSink(vertx, from, config.maxEvents(), config.maxBytes());
    return sessions.open(Transport.LONG_POLL, rc, sink)
        .compose(session -> session.read(stream, from, compact, sink).compose(subscription -> {
          if (subscription.nothingToSend()) {
            sink.endedBefore();
            return sink.answer();
          }
          session.deadline(timeoutMs, sink::timeout);
          return sink.answer().onComplete(answered -> session.close());
        }));
  }

  private int timeoutSeconds(RoutingContext rc) {
    return Math.min(QueryParams.seconds(rc, "timeout", config.defaultTimeoutSeconds()), config.maxTimeoutSeconds());
  }
}
