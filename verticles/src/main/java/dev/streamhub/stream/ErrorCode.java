package dev.streamhub.stream;

import java.util.Locale;

/**
 * The stable error codes of the wire contract. The same word reaches a client on every transport:
 * as {@code error.code} in an HTTP JSON body, in an SSE {@code error} event, in a WebSocket error
 * message. Codes are never renamed; new ones are added at the end.
 */
public enum ErrorCode {
  BAD_REQUEST(400, "invalid_request_error"),
  BAD_OFFSET(400, "invalid_request_error"),
  UNAUTHORIZED(401, "authentication_error"),
  FORBIDDEN(403, "permission_error"),
  NOT_FOUND(404, "invalid_request_error"),
  STREAM_NOT_FOUND(404, "invalid_request_error"),
  MODEL_NOT_FOUND(404, "invalid_request_error"),
  METHOD_NOT_ALLOWED(405, "invalid_request_error"),
  STREAM_FINISHED(409, "invalid_request_error"),
  OFFSET_EXPIRED(410, "invalid_request_error"),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
  UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error"),
  /** Over a request, token, stream or connection limit; {@code type} as OpenAI's 429 ({@code rate_limit_exceeded}). */
  RATE_LIMITED(429, "rate_limit_exceeded"),
  INTERNAL_ERROR(500, "server_error"),
  WORKER_LOST(502, "server_error"),
  NO_WORKER_AVAILABLE(503, "server_error"),
  CANCELLED(409, "invalid_request_error"),
  /** Events were published to a stream a model produces; only {@code publisher: external} streams take them. */
  STREAM_NOT_EXTERNAL(409, "invalid_request_error"),
  /** The upstream model server could not be reached (connection refused, unknown host, connect timeout). */
  UPSTREAM_UNAVAILABLE(502, "server_error"),
  /** The upstream answered with an error status, malformed SSE, or dropped the stream mid-way. */
  UPSTREAM_ERROR(502, "server_error"),
  /** The upstream sent no first token within {@code upstream_timeout_ms}. */
  UPSTREAM_TIMEOUT(504, "server_error"),
  /**
   * The node is draining (shutting down gracefully): a new request is refused, and a client that
   * cannot resume elsewhere (an OpenAI-format stream) is let go at the drain deadline.
   */
  DRAINING(503, "server_error"),
  /**
   * A generation ended because its consumer's LLM-token budget ({@code limits_token_rate}) ran out
   * mid-stream: the terminal {@code error} at the token where it ran out.
   */
  TOKEN_QUOTA_EXCEEDED(429, "rate_limit_exceeded"),
  /** The request line and headers exceed {@code http_max_header_bytes}. */
  HEADERS_TOO_LARGE(431, "invalid_request_error");

  private final int status;
  private final String type;
  private final String code = name().toLowerCase(Locale.ROOT);

  ErrorCode(int status, String type) {
    this.status = status;
    this.type = type;
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

  /** The code for a wire word; unknown words (say, from a newer worker) map to {@link #INTERNAL_ERROR}. */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    return INTERNAL_ERROR;
  }
}
