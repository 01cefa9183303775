package dev.streamhub.transport.poll;

import dev.streamhub.config.PollConfig;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.transport.Offsets;
import dev.streamhub.transport.QueryParams;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

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

  /** The client went away while its poll waited behind an unread answer: nothing to answer. */
  private static final Exception GONE = new Exception("client went away", null, false, false) {};

  private final Vertx vertx;
  private final Sessions sessions;
  private final PollConfig config;
  private final int maxBatchBytes;
  /**
   * Per connection, the write of its last answer while the socket has not taken it all. Only this
   * verticle's event loop touches it (a connection stays on its loop).
   */
  private final Map<HttpConnection, Future<Void>> unwritten = new HashMap<>();

  /**
   * {@code writeQueueBytes} is {@code http_write_queue_bytes}: a batch stops taking events at the
   * smaller of it and {@code poll_max_bytes}, so an answer the client does not read costs the hub
   * at most its write queue and one event, as on SSE and WebSocket.
   */
  public PollHandler(Vertx vertx, Sessions sessions, PollConfig config, int writeQueueBytes) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.config = config;
    this.maxBatchBytes = Math.min(config.maxBytes(), writeQueueBytes);
  }

  public void mount(Router router) {
    router.get("/v1/streams/:id/poll").handler(this::poll);
  }

  /**
   * A poll pipelined behind an answer its client has not read yet waits until the socket took that
   * answer, so a client that sends polls and reads nothing makes the hub hold one answer, not one
   * per poll (HTTP/1.1 pipelining, RFC 9112 section 9.3.2: answers go out in request order anyway).
   */
  private void poll(RoutingContext rc) {
    HttpConnection connection = rc.request().connection();
    Future<Void> previous = unwritten.getOrDefault(connection, Future.succeededFuture());
    previous.transform(written -> rc.response().closed() ? Future.failedFuture(GONE) : batch(rc))
        .onSuccess(body -> answer(rc, connection, Buffer.buffer(body)))
        .onFailure(err -> {
          if (err != GONE) {
            rc.fail(err);
          }
        });
  }

  /**
   * Writes the answer, counted in {@code EdgeStats.streamBytesHeld} until the socket took it (or
   * the connection closed): what a client that does not read its answer costs the hub.
   */
  private void answer(RoutingContext rc, HttpConnection connection, Buffer body) {
    int length = body.length();
    sessions.stats().held(length);
    // registered before end(): ending a response dispatches the next pipelined request at once,
    // inside end(), and that request must already find this answer unwritten
    Promise<Void> written = Promise.promise();
    Future<Void> taken = written.future();
    unwritten.put(connection, taken);
    taken.onComplete(done -> {
      unwritten.remove(connection, taken);
      sessions.stats().held(-length);
    });
    rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Stream-Id", rc.pathParam("id"))
        .end(body)
        .onComplete(written);
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
    PollSink sink = new PollSink(vertx, from, config.maxEvents(), maxBatchBytes);
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
