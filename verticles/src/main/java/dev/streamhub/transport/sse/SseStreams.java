package dev.streamhub.transport.sse;

import dev.streamhub.config.SseConfig;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.transport.PrimedDeflater;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import dev.streamhub.stream.Event;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves a stream as SSE on an HTTP response, through a {@link dev.streamhub.session.Session} of
 * transport {@code sse} (native) or {@code openai_sse} (OpenAI chunks). Used by the native events
 * endpoint and by {@code /v1/chat/completions} alike. Framing only: the session checks, registers,
 * heartbeats and cleans up.
 */
public final class SseStreams {

  private final Vertx vertx;
  private final Sessions sessions;
  private final SseConfig config;
  private final int writeQueueBytes;
  /** One deflater for every gzip'd SSE response of this event loop. */
  private final PrimedDeflater.Shared gzip = new PrimedDeflater.Shared(HttpServerOptions.DEFAULT_COMPRESSION_LEVEL);

  /** The last event framed in the native form on this event loop, and its frame ({@link #nativeFrame}). */
  private Event framedEvent;
  private Buffer framed;

  /** Created on, and used from, one edge event loop. */
  public SseStreams(Vertx vertx, Sessions sessions, SseConfig config, int writeQueueBytes) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.config = config;
    this.writeQueueBytes = writeQueueBytes;
  }

  /**
   * Streams {@code stream} from offset {@code from}. The future fails before the response started
   * (stream_not_found, bad_offset, offset_expired) so the caller can answer with a status; a
   * stream that already ended before {@code from} is answered 204, which tells EventSource to stop
   * reconnecting.
   */
  public Future<Void> serve(RoutingContext rc, String stream, long from, SseFormat format) {
    return serve(rc, stream, from, false, format);
  }

  /**
   * As {@link #serve(RoutingContext, String, long, SseFormat)}; with {@code compact} the catch-up
   * arrives as one {@code snapshot} event ({@code id: N}), then the events from N+1.
   */
  public Future<Void> serve(RoutingContext rc, String stream, long from, boolean compact, SseFormat format) {
    HttpServerResponse response = rc.response();
    if (StreamIds.looksValid(stream)) {
      response.putHeader("X-Stream-Id", stream);
    }
    SseGzip coding = SseGzip.accepted(rc.request().getHeader(HttpHeaders.ACCEPT_ENCODING)) ? new SseGzip(gzip) : null;
    Transport transport = format.resumable() ? Transport.SSE : Transport.OPENAI_SSE;
    SseSink sink = new SseSink(new SseResponse(this, response, coding, transport.wire()), format, from);
    return sessions.open(transport, rc, sink)
        .compose(session -> session.read(stream, from, compact, sink))
        .map(subscription -> {
          if (subscription.nothingToSend()) {
            response.setStatusCode(204).end();
          } else {
            sink.reading(subscription);
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

  /**
   * {@code event}'s native SSE frame ({@link NativeSseFormat#frame}), made once for every response
   * of this event loop that sends it: a live event reaches its readers here one after the other
   * (one live registration per stream per event loop), so the last one framed is the one asked for.
   */
  Buffer nativeFrame(Event event) {
    if (event != framedEvent) {
      framed = NativeSseFormat.frame(event);
      framedEvent = event;
    }
    return framed;
  }

  Vertx vertx() {
    return vertx;
  }

  SseConfig config() {
    return config;
  }

  int writeQueueBytes() {
    return writeQueueBytes;
  }

  EdgeStats stats() {
    return sessions.stats();
  }
}
