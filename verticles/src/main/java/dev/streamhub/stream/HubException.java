package dev.streamhub.stream;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a stable {@link ErrorCode} and a message safe to show a client. A message quoting
 * client input keeps an unpaired surrogate in it as the text {@code \}{@code uD83D} (see
 * {@link Utf16}), so that no transport writes it as {@code ?}.
 */
public final class HubException extends RuntimeException {

  private final ErrorCode code;

  public HubException(ErrorCode code, String message) {
    super(message == null ? null : Utf16.escapeLoneSurrogates(message), null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** OpenAI's error object: {@code {"code":..., "message":..., "type":..., "param":null}} (the message names any parameter). */
  public JsonObject toJson() {
    return new JsonObject().put("code", code.code()).put("message", getMessage()).put("type", code.type()).putNull("param");
  }

  /** The same failure as a HubException: itself, or {@code internal_error} for anything unexpected. */
  public static HubException of(Throwable err) {
    if (err instanceof HubException) {
      return (HubException) err;
    }
    return new HubException(ErrorCode.INTERNAL_ERROR, "internal error");
  }

  public static HubException streamNotFound(String stream) {
    return new HubException(ErrorCode.STREAM_NOT_FOUND, "no stream '" + stream + "'");
  }
}
