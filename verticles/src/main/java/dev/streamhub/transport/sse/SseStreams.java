package dev.streamhub.transport.sse;

import dev.streamhub.config.SseConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.LiveFeeds;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.transport.EdgeClients;
import dev.streamhub.transport.EdgeStats;
import dev.streamhub.transport.PrimedDeflater;
import dev.streamhub.transport.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves a stream as SSE on an HTTP response through the shared {@link Subscription}. Used by the
 * native events endpoint and by {@code /v1/chat/completions} alike.
 */
public final class SseStreams {

  private final Vertx vertx;
  private final StreamLog log;
  private final SseConfig config;
  private final int readBatch;
  private final int writeQueueBytes;
  private final EdgeStats stats;
  private final EdgeClients clients;
  /** One heartbeat timer for every SSE response of this event loop. */
  private final Ticker heartbeats;
  /** This event loop's live feeds, shared by every transport of the edge instance. */
  private final LiveFeeds feeds;
  /** One deflater for every gzip'd SSE response of this event loop. */
  private final PrimedDeflater.Shared gzip;

  /** Created on, and used from, one edge event loop. */
  public SseStreams(Vertx vertx, StreamLog log, SseConfig config, int readBatch, int writeQueueBytes, EdgeStats stats,
      EdgeClients clients, LiveFeeds feeds) {
    this.vertx = vertx;
    this.log = log;
    this.config = config;
    this.readBatch = readBatch;
    this.writeQueueBytes = writeQueueBytes;
    this.stats = stats;
    this.clients = clients;
    this.heartbeats = new Ticker(vertx, config.heartbeatMs());
    this.feeds = feeds;
    this.gzip = new PrimedDeflater.Shared(HttpServerOptions.DEFAULT_COMPRESSION_LEVEL);
  }

  /**
   * Streams {@code stream} from offset {@code from}. The future fails before the response started
   * (stream_not_found, bad_offset, offset_expired) so the caller can answer with a status; a
   * stream that already ended before {@code from} is answered 204, which tells EventSource to stop
   * reconnecting.
   */
  public Future<Void> serve(RoutingContext rc, String stream, long from, SseFormat format) {
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    HttpServerResponse response = rc.response().putHeader("X-Stream-Id", stream);
    SseGzip coding = SseGzip.accepted(rc.request().getHeader(HttpHeaders.ACCEPT_ENCODING)) ? new SseGzip(gzip) : null;
    SseResponse out = new SseResponse(vertx, response, config, writeQueueBytes, stats, heartbeats, coding);
    return Subscription.open(feeds, log, stream, from, readBatch, new SseSink(out, format)).map(subscription -> {
      if (subscription.nothingToSend()) {
        response.setStatusCode(204).end();
      } else if (response.closed()) {
        subscription.close();
      } else if (!subscription.ended()) {
        // still streaming (a replay that reached the terminal event has ended the response already)
        EdgeClients.Client client = new EdgeClients.Client() {
          @Override
          public boolean resumable() {
            return format.resumable();
          }

          @Override
          public void letGo() {
            subscription.close();
            format.reconnect(subscription.next(), out);
            out.end();
          }
        };
        clients.add(client);
        out.onHeartbeat(subscription::heartbeat);
        out.onClose(() -> {
          subscription.close();
          clients.remove(client);
        });
        rc.addEndHandler(ended -> clients.remove(client));
      }
      return null;
    });
  }

  /** The {@code format} query parameter: {@code native} (default) or {@code openai}. */
  public static boolean wantsOpenAi(RoutingContext rc) {
    String format = rc.request().getParam("format", "native");
    if (format.equals("native")) {
      return false;
    }
    if (format.equals("openai")) {
      return true;
    }
    throw new HubException(ErrorCode.BAD_REQUEST, "format must be 'native' or 'openai', got '" + format + "'");
  }
}
