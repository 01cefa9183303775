package dev.streamhub.transport.poll;

import dev.streamhub.config.PollConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.LiveFeeds;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.transport.EdgeClients;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.transport.Offsets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/streams/{id}/poll?from=N&timeout=S}: the shared {@link Subscription} with a
 * {@link PollSink}. Answers as soon as events at or after {@code from} exist (everything already
 * there, up to the batch bounds), else when the first one arrives, else empty at the timeout.
 * {@code timeout} is in seconds and clamped to {@code poll_max_timeout_seconds}.
 */
public final class PollHandler {

  private final Vertx vertx;
  private final StreamLog log;
  private final PollConfig config;
  private final int readBatch;
  private final EdgeClients clients;
  /** This event loop's live feeds, shared by every transport of the edge instance. */
  private final LiveFeeds feeds;

  public PollHandler(Vertx vertx, StreamLog log, PollConfig config, int readBatch, EdgeClients clients, LiveFeeds feeds) {
    this.vertx = vertx;
    this.log = log;
    this.config = config;
    this.readBatch = readBatch;
    this.clients = clients;
    this.feeds = feeds;
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
        .onFailure(err -> ErrorResponses.send(rc, err));
  }

  /** The body of one poll response, once there is something to say or the timeout passed. */
  private Future<String> batch(RoutingContext rc) {
    String stream = rc.pathParam("id");
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    long from = Offsets.startOffset(rc);
    long timeoutMs = timeoutSeconds(rc) * 1000L;
    PollSink sink = new PollSink(vertx, from, config.maxEvents(), config.maxBytes());
    return Subscription.open(feeds, log, stream, from, readBatch, sink).compose(subscription -> {
      if (subscription.nothingToSend()) {
        sink.endedBefore();
        return sink.answer();
      }
      long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> sink.timeout());
      rc.response().closeHandler(closed -> sink.fail(new HubException(ErrorCode.BAD_REQUEST, "client went away")));
      // a drain answers a held poll at once with what it has, as a timeout would; the next poll goes elsewhere
      EdgeClients.Client client = new EdgeClients.Client() {
        @Override
        public boolean resumable() {
          return true;
        }

        @Override
        public void letGo() {
          sink.timeout();
        }
      };
      clients.add(client);
      return sink.answer().onComplete(answered -> {
        vertx.cancelTimer(timer);
        subscription.close();
        clients.remove(client);
      });
    });
  }

  private int timeoutSeconds(RoutingContext rc) {
    String value = rc.request().getParam("timeout");
    if (value == null) {
      return config.defaultTimeoutSeconds();
    }
    try {
      int seconds = Integer.parseInt(value.trim());
      if (seconds >= 0) {
        return Math.min(seconds, config.maxTimeoutSeconds());
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error
    }
    throw new HubException(ErrorCode.BAD_REQUEST, "timeout must be a non-negative number of seconds, got '" + value + "'");
  }
}
