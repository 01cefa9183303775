package dev.streamhub.transport.responses;

import dev.streamhub.auth.Ownership;
import dev.streamhub.stream.Principal;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.transport.Offsets;
import dev.streamhub.transport.WholeAnswer;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * OpenAI's Responses API over the stream log, so the official SDKs create, resume and cancel
 * responses with only a base URL change. A response is a stream ({@code resp_<key>} is
 * {@code st_<key>}); every response runs to its end whether or not a client reads it, on whichever
 * node, and can be read again from any node.
 *
 * <ul>
 *   <li>{@code POST /v1/responses} ({@link ResponsesRequest}): {@code stream:true} gives the typed
 *       event sequence ({@link ResponseEvents}); otherwise the {@code response} object, at its end
 *       ({@code completion_timeout_ms}, then 504 {@code completion_timeout}), or at once,
 *       {@code in_progress}, with {@code background:true}.</li>
 *   <li>{@code GET /v1/responses/{id}}: the object now; with {@code ?stream=true} the event
 *       sequence, after {@code starting_after=N} (or the {@code Last-Event-ID} header) only the
 *       events numbered above N, then live.</li>
 *   <li>{@code POST /v1/responses/{id}/cancel}: the generation stops (the log ends with
 *       {@code cancelled}); answers the object (a response that had already ended is answered as
 *       it is).</li>
 *   <li>{@code DELETE /v1/responses/{id}}: cancels it if it runs, forgets its
 *       {@link ResponseRecord} (it can no longer be continued), answers
 *       {@code {"id","object":"response","deleted":true}}; the log keeps its events until
 *       retention drops them.</li>
 * </ul>
 *
 * Every response's turns go to a conversation ({@link ResponseStarts}); {@code previous_response_id}
 * continues the conversation of that response right after its answer. The response's record (owner,
 * conversation, echoed request fields) is kept in the conversations' store under its id.
 *
 * Errors are OpenAI's {@code {"error":{"code","message","type"}}} ({@code bad_request} 400 naming
 * the field, {@code stream_not_found} 404 for an unknown id or another principal's response,
 * {@code bad_offset} 400, {@code previous_response_not_found} 400 for a {@code previous_response_id}
 * that is unknown, expired, deleted, malformed or another principal's, as OpenAI answers it).
 */
public final class ResponsesHandler {

  private static final int PAGE = 1000;
  private static final Set<String> RETRIEVE_PARAMS = Set.of("stream", "starting_after");

  private final StreamLog log;
  private final Generations generations;
  private final SseStreams sse;
  private final Sessions sessions;
  private final Ownership ownership;
  private final ResponseStarts starts;

  /** @param sessions the edge event loop's sessions; a whole (non-background) answer has their {@code completion_timeout_ms} */
  public ResponsesHandler(StreamLog log, Generations generations, SseStreams sse, Sessions sessions) {
    this.log = log;
    this.generations = generations;
    this.sse = sse;
    this.sessions = sessions;
    this.ownership = new Ownership(log);
    this.starts = new ResponseStarts(generations);
  }

  public void mount(Router router) {
    router.post("/v1/responses").handler(this::create);
    router.get("/v1/responses/:id").handler(this::retrieve);
    router.post("/v1/responses/:id/cancel").handler(this::cancel);
    router.delete("/v1/responses/:id").handler(this::delete);
  }

  private void create(RoutingContext rc) {
    Future.succeededFuture(rc.body().buffer())
        .map(ResponsesRequest::parse)
        .compose(request -> admitted(rc, request)
            .compose(admitted -> starts.start(rc, request))
            .compose(meta -> {
              rc.response().putHeader("X-Stream-Id", meta.id());
              ResponseRecord record = request.record();
              if (request.stream()) {
                return sse.serve(rc, meta.id(), 0, new ResponseEvents(meta, record, -1));
              }
              if (request.background()) {
                return json(rc, 200, new ResponseState(meta, record).response(false));
              }
              return whole(rc, meta, record);
            }))
        .onFailure(rc::fail);
  }

  /**
   * A response read on this connection ({@code stream:true}, or a whole answer) is a session: it
   * is admitted ({@link Sessions#admit}: connection limits, 429 {@code rate_limited}) before the
   * generation starts, so a refused request starts nothing. A background response holds no
   * connection and has nothing to admit here (its concurrent-stream slot and token budget are
   * {@link Generations#start}'s, before the stream is created).
   */
  private Future<String> admitted(RoutingContext rc, ResponsesRequest request) {
    if (request.stream()) {
      return sessions.admit(Transport.OPENAI_SSE, rc); // the transport SseStreams serves ResponseEvents with
    }
    return request.background() ? Future.succeededFuture() : sessions.admit(Transport.COMPLETION, rc);
  }

  private void retrieve(RoutingContext rc) {
    Future.succeededFuture(rc)
        .map(ResponsesHandler::checkParams)
        .compose(streaming -> {
          String stream = ResponseState.streamOf(rc.pathParam("id"));
          if (!streaming) {
            return owned(rc, stream).compose(ok -> snapshot(rc, stream)).compose(response -> json(rc, 200, response));
          }
          long after = startingAfter(rc);
          return record(rc, stream).compose(record -> log.meta(stream)
              .compose(meta -> sse.serve(rc, stream, 0, new ResponseEvents(meta, record, after))));
        })
        .onFailure(rc::fail);
  }

  private void cancel(RoutingContext rc) {
    Future.succeededFuture(rc)
        .map(ctx -> ResponseState.streamOf(ctx.pathParam("id")))
        .compose(stream -> owned(rc, stream).compose(ok -> stopped(stream)).compose(ignored -> snapshot(rc, stream)))
        .compose(response -> json(rc, 200, response))
        .onFailure(rc::fail);
  }

  private void delete(RoutingContext rc) {
    Future.succeededFuture(rc)
        .map(ctx -> ResponseState.streamOf(ctx.pathParam("id")))
        .compose(stream -> owned(rc, stream).compose(ok -> stopped(stream))
            .compose(ok -> Conversations.of(rc.vertx()).forget(ResponseState.responseId(stream))))
        .compose(ignored -> json(rc, 200, new JsonObject()
            .put("id", rc.pathParam("id"))
            .put("object", "response")
            .put("deleted", true)))
        .onFailure(rc::fail);
  }

  /** Cancels the generation; one that had already ended is fine. */
  private Future<Void> stopped(String stream) {
    return generations.cancel(stream)
        .<Void>mapEmpty()
        .recover(err -> err instanceof HubException && ((HubException) err).code() == ErrorCode.STREAM_FINISHED
            ? Future.succeededFuture()
            : Future.failedFuture(err));
  }

  /**
   * A non-streaming, non-background answer: through a session of transport {@code completion}
   * (drain and the live path's safety net cover it), at the stream's end.
   */
  private Future<Void> whole(RoutingContext rc, StreamMeta meta, ResponseRecord record) {
    return WholeAnswer.serve(sessions, rc, meta, new ResponseCollector(meta, record));
  }


  /** The response object as it is now: its record, then every page of the log read from offset 0. */
  private Future<JsonObject> snapshot(RoutingContext rc, String stream) {
    return record(rc, stream).compose(record -> log.meta(stream).compose(meta -> readFrom(new ResponseState(meta, record), stream, 0)));
  }

  /** The response's {@link ResponseRecord}; {@link ResponseRecord#NONE} when it is gone (the object then echoes nulls). */
  private static Future<ResponseRecord> record(RoutingContext rc, String stream) {
    return Conversations.of(rc.vertx()).recall(ResponseState.responseId(stream)).map(ResponseRecord::fromJson);
  }

  /**
   * With auth on, only the owner (or an admin) may see, cancel or delete a response: anyone else
   * gets {@code stream_not_found}, as for an unknown id ({@link Ownership}). The streaming read is
   * checked by its session's guard instead.
   */
  private Future<Void> owned(RoutingContext rc, String stream) {
    return ownership.check(Principal.of(rc), stream);
  }

  private Future<JsonObject> readFrom(ResponseState state, String stream, long from) {
    return log.read(stream, from, PAGE).compose(page -> {
      page.events().forEach(state::add);
      if (page.events().isEmpty() || page.reachedEnd()) {
        return Future.succeededFuture(state.response(true));
      }
      return readFrom(state, stream, page.next());
    });
  }

  /** {@code stream} ({@code true}/{@code false}); any query parameter but the two is refused. */
  private static boolean checkParams(RoutingContext rc) {
    for (String name : rc.queryParams().names()) {
      if (!RETRIEVE_PARAMS.contains(name)) {
        throw new HubException(ErrorCode.BAD_REQUEST, "query parameter '" + name + "' is not supported; supported: " + RETRIEVE_PARAMS);
      }
    }
    String stream = rc.request().getParam("stream", "false");
    if (!stream.equals("true") && !stream.equals("false")) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'stream' must be true or false, got '" + stream + "'");
    }
    if (stream.equals("false") && rc.request().getParam("starting_after") != null) {
      throw new HubException(ErrorCode.BAD_REQUEST, "'starting_after' needs 'stream=true'");
    }
    return stream.equals("true");
  }

  /** {@code starting_after}, else the {@code Last-Event-ID} header (an EventSource reconnecting), else -1. */
  private static long startingAfter(RoutingContext rc) {
    String after = rc.request().getParam("starting_after");
    if (after != null) {
      return Offsets.parse("starting_after", after);
    }
    String header = rc.request().getHeader("Last-Event-ID");
    return header == null || header.isBlank() ? -1 : Offsets.parse("Last-Event-ID", header);
  }

  private static Future<Void> json(RoutingContext rc, int status, JsonObject body) {
    return rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
