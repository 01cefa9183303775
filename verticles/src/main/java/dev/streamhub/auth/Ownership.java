package dev.streamhub.auth;

import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * A stream is readable, cancellable and publishable only by the principal that created it (its
 * {@code owner}, the JWT {@code sub}) or an {@code admin}. Anyone else gets 404
 * {@code stream_not_found} with the very body an id that does not exist gets, so ids cannot be probed.
 */
public final class Ownership {

  private final StreamLog log;

  public Ownership(StreamLog log) {
    this.log = log;
  }

  /** Router step on {@code /v1/streams/{id}[/...]}: passes the owner and admins, fails everyone else with {@code stream_not_found}. */
  void handle(RoutingContext rc) {
    Principal principal = Principal.of(rc);
    String[] parts = rc.request().path().split("/");
    if (principal == null || parts.length < 4) {
      rc.next();
      return;
    }
    check(principal, parts[3]).onSuccess(ok -> rc.next()).onFailure(rc::fail);
  }

  /** Succeeds when {@code principal} may use {@code stream}, or the stream does not exist (its handler says so). */
  public Future<Void> check(Principal principal, String stream) {
    if (principal == null || principal.admin() || !StreamIds.looksValid(stream)) {
      return Future.succeededFuture();
    }
    return log.meta(stream).compose(
        meta -> owns(principal, meta) ? Future.<Void>succeededFuture() : Future.failedFuture(HubException.streamNotFound(stream)),
        notReadable -> Future.succeededFuture()); // no such stream (or no log): the handler answers that
  }

  private static boolean owns(Principal principal, StreamMeta meta) {
    return meta.owner().equals(principal.subject());
  }
}
