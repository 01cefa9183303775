package dev.streamhub.auth;

import dev.streamhub.limits.Quota;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;

/**
 * Who an admitted WebSocket acts for.
 *
 * @param owner the owner of the streams it creates ({@code sub}, or {@code anonymous} with auth off)
 * @param principal its verified token, or null with auth off
 * @param quota the limit keys of the generations it starts
 * @param ownership the stream-ownership check, or null with auth off
 */
public record WsIdentity(String owner, Principal principal, Quota quota, Ownership ownership) {

  /** Succeeds when the socket may subscribe to or cancel {@code stream}; else {@code stream_not_found}, as for no such stream. */
  public Future<Void> mayUse(String stream) {
    return ownership == null ? Future.succeededFuture() : ownership.check(principal, stream);
  }

  /** Succeeds when the socket may start generations (scope {@code create}); else {@code forbidden}. */
  public Future<Void> mayCreate() {
    return principal == null || principal.has(Scope.CREATE)
        ? Future.succeededFuture()
        : Future.failedFuture(new HubException(ErrorCode.FORBIDDEN, "the token lacks the scope 'create'"));
  }
}
