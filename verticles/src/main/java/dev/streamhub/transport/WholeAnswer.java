package dev.streamhub.transport;

import dev.streamhub.session.Framing;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.subscribe.Sink;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A generation answered as one JSON body at its end ({@code stream:false} of
 * {@code /v1/chat/completions}, a non-background {@code POST /v1/responses}): the stream is read
 * from offset 0 through a session of transport {@code completion} (so the drain and the live path's
 * safety net cover it too) with a deadline of {@code completion_timeout_ms}, and the collector's
 * body is answered {@code 200 application/json}. The collector decides the failures: 504
 * {@code completion_timeout} at the deadline, 503 {@code draining} when the node lets it go.
 */
public final class WholeAnswer {

  /** What gathers the answer: the session's sink (in memory: never full) and framing. */
  public interface Collector extends Sink, Framing {

    @Override
    default boolean writeQueueFull() {
      return false;
    }

    @Override
    default void drainHandler(Handler<Void> handler) {
      // never full
    }

    /** The deadline passed before the stream ended: fail {@link #answer()} with {@code completion_timeout}. */
    void timeout();

    /** The answer's body, once the stream has ended. */
    Future<JsonObject> answer();
  }

  private WholeAnswer() {
  }

  /**
   * Reads {@code meta}'s stream into {@code collector} and answers its body; fails as the collector's
   * {@link Collector#answer()} does. The deadline is {@link Sessions#completionTimeoutMs()}.
   */
  public static Future<Void> serve(Sessions sessions, RoutingContext rc, StreamMeta meta, Collector collector) {
    return sessions.open(Transport.COMPLETION, rc, collector)
        .compose(session -> {
          session.deadline(sessions.completionTimeoutMs(), collector::timeout);
          return session.read(meta.id(), 0, collector);
        })
        .compose(subscription -> collector.answer())
        .compose(body -> rc.response().setStatusCode(200)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(body.encode()));
  }
}
