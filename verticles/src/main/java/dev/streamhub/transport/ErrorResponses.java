package dev.streamhub.transport;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors as HTTP responses: status from the {@link ErrorCode}, body in OpenAI's shape
 * {@code {"error":{"code", "message", "type", "param"}}} ({@code param} null). The one place that turns a failure into bytes
 * before a response has started: handlers end their futures with {@code .onFailure(rc::fail)}, and
 * the router's failure handler ({@link #onFailure}) answers; no handler writes an error itself.
 */
public final class ErrorResponses {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  /** Answers {@code rc} with {@code err}; if the response already started, just ends it. */
  public static void send(RoutingContext rc, Throwable err) {
    HubException error = HubException.of(err);
    if (error.code() == ErrorCode.INTERNAL_ERROR && err != error) {
      LOG.error("{} {} failed", rc.request().method(), rc.request().path(), err);
    }
    HttpServerResponse response = rc.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.end();
      return;
    }
    if (error.retryAfterSeconds() > 0) {
      response.putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    response.setStatusCode(error.code().status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body(error).encode());
  }

  /** {@link HubException#body()}: {@code {"error": {"code", "message", "type", "param"}}}. */
  public static JsonObject body(HubException error) {
    return error.body();
  }

  /**
   * Router failure handler: route failures and the router's own 4xx (no route, body too big). A
   * {@code bad_offset} past the end names what the client sent ({@link Offsets#naming}).
   */
  public static void onFailure(RoutingContext rc) {
    if (rc.failure() != null) {
      send(rc, Offsets.naming(rc, rc.failure()));
      return;
    }
    send(rc, fromStatus(rc));
  }

  /** Router error handler for statuses the router produces itself (404, 405). */
  public static HubException fromStatus(RoutingContext rc) {
    String what = rc.request().method() + " " + rc.request().path();
    switch (rc.statusCode()) {
      case 400:
        return new HubException(ErrorCode.BAD_REQUEST, "bad request");
      case 404:
        return new HubException(ErrorCode.NOT_FOUND, "no such endpoint: " + what);
      case 405:
        return new HubException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed: " + what);
      case 413:
        return new HubException(ErrorCode.PAYLOAD_TOO_LARGE, "request body too large");
      case 415:
        return new HubException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported media type");
      default:
        return new HubException(ErrorCode.INTERNAL_ERROR, "internal error");
    }
  }
}
