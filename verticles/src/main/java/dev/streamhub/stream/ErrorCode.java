package dev.streamhub.stream;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.Locale;

/**
 * The stable error codes of the wire contract, and the one table of how each looks on every
 * transport. The same word reaches a client everywhere: as {@code error.code} in an HTTP JSON body,
 * in an SSE {@code error} event, in a WebSocket error message. Codes are never renamed; new ones
 * are added at the end.
 *
 * <p>Per code: the HTTP status (before a response started); whether a retry of the same request
 * can succeed ({@link #retryable}); the WebSocket close code when the error ends a whole socket
 * (RFC 6455 section 7.4, Netty's {@link WebSocketCloseStatus}; none when it is an {@code error}
 * message and the socket stays open); how it ends a stream already being sent over SSE or a held
 * long-poll ({@link Terminal}); and when it happens. The README's error table is this table
 * ({@link #readmeTable}, checked by {@code ErrorTableTest}).
 */
public enum ErrorCode {
  BAD_REQUEST(400, "invalid_request_error", false, null,
      "invalid JSON, missing or invalid fields (the message names the field), bad `format` or `timeout`"),
  BAD_OFFSET(400, "invalid_request_error", false, null, "offset not a non-negative integer in ASCII digits, or beyond the end of the stream"),
  UNAUTHORIZED(401, "authentication_error", false, WebSocketCloseStatus.POLICY_VIOLATION,
      "no, malformed or invalid bearer token (wrong signature, expired, wrong issuer or audience); a WebSocket that did not authenticate in time"),
  FORBIDDEN(403, "permission_error", false, WebSocketCloseStatus.POLICY_VIOLATION,
      "a token without the endpoint's scope; a WebSocket `Origin` not allowed; a denied IP or a matching deny rule"),
  NOT_FOUND(404, "invalid_request_error", false, null, "no such endpoint"),
  STREAM_NOT_FOUND(404, "invalid_request_error", false, null, "unknown (or expired) stream"),
  MODEL_NOT_FOUND(404, "invalid_request_error", false, null, "no live worker serves this model (unknown, or its workers left)"),
  METHOD_NOT_ALLOWED(405, "invalid_request_error", false, null, "the path does not take this method; the `Allow` header lists those it does"),
  STREAM_FINISHED(409, "invalid_request_error", false, null, "cancelling or publishing to a stream that has ended"),
  OFFSET_EXPIRED(410, "invalid_request_error", false, null, "the offset is below what the log retains"),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error", false, WebSocketCloseStatus.MESSAGE_TOO_BIG,
      "body over `http_max_body_bytes`; a WebSocket message over `ws_max_message_bytes`"),
  UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", false, null, "a JSON endpoint's body not declared `Content-Type: application/json` (a form or `text/plain` body, which browsers send cross-site without a preflight)"),
  /** Over a request, token, stream or connection limit; {@code type} as OpenAI's 429 ({@code rate_limit_exceeded}). */
  RATE_LIMITED(429, "rate_limit_exceeded", true, WebSocketCloseStatus.TRY_AGAIN_LATER,
      "over a request, token-budget, concurrent-stream or connection limit (with `Retry-After`)"),
  INTERNAL_ERROR(500, "server_error", true, WebSocketCloseStatus.INTERNAL_SERVER_ERROR, ""),
  WORKER_LOST(502, "server_error", true, null, "the worker generating the stream died (a terminal `error` event)"),
  NO_WORKER_AVAILABLE(503, "server_error", true, null, "the model is listed but no worker takes requests for it now (they are leaving or draining), or none accepted the generation within `worker_accept_timeout_ms`; the message says which"),
  CANCELLED(409, "invalid_request_error", false, null, "`stream:false` request whose generation was cancelled"),
  /** Events were published to a stream a model produces; only {@code publisher: external} streams take them. */
  STREAM_NOT_EXTERNAL(409, "invalid_request_error", false, null, "publishing events to a model's stream"),
  /** The upstream model server could not be reached (connection refused, unknown host, connect timeout). */
  UPSTREAM_UNAVAILABLE(502, "server_error", true, null, "the upstream model server cannot be reached"),
  /** The upstream answered with an error status, malformed SSE, or dropped the stream mid-way. */
  UPSTREAM_ERROR(502, "server_error", true, null, "the upstream answered an error, malformed SSE, or hung up mid-stream"),
  /** The upstream sent no first token within {@code upstream_timeout_ms}. */
  UPSTREAM_TIMEOUT(504, "server_error", true, null, "no first token from the upstream within `upstream_timeout_ms`"),
  /**
   * The node is draining (shutting down gracefully): a new request is refused, and a client that
   * cannot resume elsewhere (an OpenAI-format stream) is let go at the drain deadline.
   */
  DRAINING(503, "server_error", true, WebSocketCloseStatus.SERVICE_RESTART, Terminal.RECONNECT,
      "the node is shutting down: a new request, or an OpenAI-format stream still open at `drain_timeout_ms`"),
  /** A {@code stream:false} completion's stream did not end within {@code completion_timeout_ms}. */
  COMPLETION_TIMEOUT(504, "server_error", true, null,
      "a `stream:false` completion whose stream did not end within `completion_timeout_ms` (it can still be read from the log)"),
  /**
   * The stream store cannot take this operation now, and nothing it acknowledged is lost: Redis is
   * unreachable or did not answer within {@code redis_timeout_ms} (the hub reconnects by itself);
   * or, with Hazelcast, this node is on the minority side of a network partition (fewer data members
   * than {@code cluster_quorum}) or the members holding the stream did not confirm in time, so
   * nothing was written. Retry (on another node); a reader resumes from its last offset. A resumable
   * reader already being sent is told to move at once ({@link Terminal#RESUME_ELSEWHERE}: SSE
   * {@code reconnect} event, WebSocket close 1012).
   */
  STORE_UNAVAILABLE(503, "server_error", true, WebSocketCloseStatus.SERVICE_RESTART, Terminal.RESUME_ELSEWHERE,
      "the Redis store is unreachable or slower than `redis_timeout_ms` (the hub reconnects by itself), or this node is on the "
      + "minority side of a network partition (fewer data members than `cluster_quorum`) or the members holding the stream did "
      + "not confirm in time; nothing acknowledged is lost: resume from your offset through another node"),
  /** No conversation of this id belongs to the caller (unknown, expired, deleted, or another principal's). */
  CONVERSATION_NOT_FOUND(404, "invalid_request_error", false, null,
      "unknown, expired or deleted conversation, or another principal's"),
  /**
   * A generation ended because its consumer's LLM-token budget ({@code limits_token_rate}) ran out
   * mid-stream: the terminal {@code error} at the token where it ran out.
   */
  TOKEN_QUOTA_EXCEEDED(429, "rate_limit_exceeded", true, null, "the consumer's token budget ran out mid-stream (a terminal `error` event)"),
  /** The request line and headers exceed {@code http_max_header_bytes}. */
  HEADERS_TOO_LARGE(431, "invalid_request_error", false, null, "request line and headers over `http_max_header_bytes`"),
  /** A reading transport this node's {@code transports} config turned off; another one may be served. */
  TRANSPORT_DISABLED(404, "invalid_request_error", false, null,
      "a reading transport (`ws`, `sse`, `poll`) that this node's `transports` turned off (a WebSocket upgrade is refused with it): use another"),
  /**
   * A {@code POST /v1/responses} whose {@code previous_response_id} names no response of the caller:
   * unknown, expired, deleted, another principal's, or its context dropped. 400, as OpenAI answers it.
   */
  PREVIOUS_RESPONSE_NOT_FOUND(400, "invalid_request_error", false, null,
      "`previous_response_id` names no response of the caller (unknown, expired, deleted, another principal's), as OpenAI's 400");

  /** How an error ends a stream that is already being sent (SSE) or a held long-poll. */
  public enum Terminal {
    /** SSE: an {@code event: error} (OpenAI form: {@code data: {"error":...}}), then the end; long-poll: the HTTP status and JSON body. */
    ERROR("SSE `error` event; long-poll: the status"),
    /**
     * SSE (native): an {@code event: reconnect} naming the next offset, then the end (OpenAI form,
     * which cannot resume: the error at the deadline); long-poll: answered at once with what it has.
     */
    RECONNECT("SSE `reconnect` event; long-poll: answered with what it has"),
    /**
     * The node cannot serve reads now: a resumable session is ended at once with a reconnect notice
     * so its client resumes on another node (SSE (native): {@code event: reconnect} naming the next
     * offset; WebSocket: close 1012, every subscription of the socket); a long-poll and the
     * non-resumable forms get the error as {@link #ERROR} says.
     */
    RESUME_ELSEWHERE("SSE `reconnect` event; long-poll: the status");

    private final String readme;

    Terminal(String readme) {
      this.readme = readme;
    }
  }

  private final int status;
  private final String type;
  private final boolean retryable;
  private final WebSocketCloseStatus wsClose;
  private final Terminal terminal;
  private final String when;
  private final String code = name().toLowerCase(Locale.ROOT);

  /** A code with the table's usual answers: retryable when 5xx or 429, an {@code error} message on a WebSocket. */
  ErrorCode(int status, String type) {
    this(status, type, status >= 500 || status == 429, null, Terminal.ERROR, "");
  }

  ErrorCode(int status, String type, boolean retryable, WebSocketCloseStatus wsClose, String when) {
    this(status, type, retryable, wsClose, Terminal.ERROR, when);
  }

  ErrorCode(int status, String type, boolean retryable, WebSocketCloseStatus wsClose, Terminal terminal, String when) {
    this.status = status;
    this.type = type;
    this.retryable = retryable;
    this.wsClose = wsClose;
    this.terminal = terminal;
    this.when = when;
  }

  /** The stable wire word, e.g. {@code stream_not_found}. */
  public String code() {
    return code;
  }

  /** The HTTP status this error is answered with before a response has started. */
  public int status() {
    return status;
  }

  /** OpenAI's error {@code type} field, so OpenAI SDKs classify the error. */
  public String type() {
    return type;
  }

  /**
   * True when the same request may succeed if retried (later, or on another node): rate limits,
   * server-side failures, a draining node. False for the client's own mistakes and final states.
   */
  public boolean retryable() {
    return retryable;
  }

  /**
   * The RFC 6455 close status when this error ends a whole WebSocket ({@code 1008} policy,
   * {@code 1009} too big, {@code 1011} internal error, {@code 1012} service restart, {@code 1013}
   * try again later); null when it is sent as an {@code error} message and the socket stays open.
   */
  public WebSocketCloseStatus wsClose() {
    return wsClose;
  }

  /** How this error ends a stream already being sent over SSE, or a held long-poll. */
  public Terminal terminal() {
    return terminal;
  }

  /** The code for a wire word; unknown words (say, from a newer worker) map to {@link #INTERNAL_ERROR}. */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    return INTERNAL_ERROR;
  }

  /** The README's error table (Markdown), one row per code in HTTP status order, generated from this enum. */
  public static String readmeTable() {
    StringBuilder table = new StringBuilder()
        .append("| code | HTTP | retry | WebSocket close | once a stream is being sent | when |\n")
        .append("|---|---|---|---|---|---|\n");
    ErrorCode[] byStatus = values().clone();
    java.util.Arrays.sort(byStatus, java.util.Comparator.comparingInt(ErrorCode::status));
    for (ErrorCode c : byStatus) {
      table.append("| `").append(c.code).append("` | ").append(c.status)
          .append(" | ").append(c.retryable ? "yes" : "no")
          .append(" | ").append(c.wsClose == null ? "(an `error` message)" : c.wsClose.code() + " " + c.wsClose.reasonText())
          .append(" | ").append(c.terminal.readme)
          .append(" | ").append(c.when).append(" |\n");
    }
    return table.toString();
  }
}
