package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a stable {@link ErrorCode} and a message safe to show a client. A message quoting
 * client input keeps an unpaired surrogate in it as the text {@code \}{@code uD83D} (see
 * {@link Utf16}), so that no transport writes it as {@code ?}.
 */
public final class HubException extends RuntimeException {

  private final ErrorCode code;
  private final long retryAfterSeconds;

  public HubException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  private HubException(ErrorCode code, String message, long retryAfterSeconds) {
    super(message == null ? null : Utf16.escapeLoneSurrogates(message), null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public ErrorCode code() {
    return code;
  }

  /** The same failure with {@code Retry-After: seconds} (RFC 9110 10.2.3) on its HTTP answer. */
  public HubException withRetryAfter(long seconds) {
    return new HubException(code, getMessage(), seconds);
  }

  /** The {@code Retry-After} of the HTTP answer in whole seconds, or 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** OpenAI's error object: {@code {"code":..., "message":..., "type":..., "param":null}} (the message names any parameter). */
  public JsonObject toJson() {
    return new JsonObject().put("code", code.code()).put("message", getMessage()).put("type", code.type()).putNull("param");
  }

  /** The error body every transport sends: {@code {"error": }{@link #toJson()}{@code }}. */
  public JsonObject body() {
    return new JsonObject().put("error", toJson());
  }

  /**
   * The same failure as a HubException: itself, {@code store_unavailable} for the cluster's refusals
   * (no quorum on this side of a partition, an operation its backups did not confirm, say when a
   * reader's live registration could not be stored), or {@code internal_error} for anything unexpected.
   */
  public static HubException of(Throwable err) {
    if (err instanceof HubException) {
      return (HubException) err;
    }
    if (err instanceof com.hazelcast.splitbrainprotection.SplitBrainProtectionException
        || err instanceof com.hazelcast.core.IndeterminateOperationStateException) {
      return new HubException(ErrorCode.STORE_UNAVAILABLE, "the cluster could not confirm this operation; reconnect (through another node) and resume");
    }
    return new HubException(ErrorCode.INTERNAL_ERROR, "internal error");
  }

  public static HubException streamNotFound(String stream) {
    return new HubException(ErrorCode.STREAM_NOT_FOUND, "no stream '" + stream + "'");
  }
}
