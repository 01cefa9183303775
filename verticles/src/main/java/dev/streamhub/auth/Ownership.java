package dev.streamhub.auth;

import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * A stream is readable, cancellable and publishable only by the principal that created it (its
 * {@code owner}, the JWT {@code sub}) or an {@code admin}. Anyone else gets 404
 * {@code stream_not_found} with the very body an id that does not exist gets, so ids cannot be probed.
 */
public final class Ownership {

  private static final String RESPONSE_PREFIX = "resp_";
  private static final String STREAM_PREFIX = "st_";

  private final StreamLog log;

  public Ownership(StreamLog log) {
    this.log = log;
  }

  /** Router step on {@code /v1/streams/{id}[/...]}: passes the owner and admins, fails everyone else with {@code stream_not_found}. */
  void handle(RoutingContext rc) {
    handle(rc, parts -> parts[3]);
  }

  /**
   * Router step on {@code /v1/responses/{id}[/cancel]} (retrieve, cancel, delete): a response
   * {@code resp_<key>} is the stream {@code st_<key>} (see {@code transport.responses.ResponseState});
   * another principal gets the 404 {@code stream_not_found} body an unknown id gets.
   */
  void handleResponse(RoutingContext rc) {
    handle(rc, parts -> parts[3].startsWith(RESPONSE_PREFIX) ? STREAM_PREFIX + parts[3].substring(RESPONSE_PREFIX.length()) : parts[3]);
  }

  private void handle(RoutingContext rc, Function<String[], String> streamOf) {
    Principal principal = Principal.of(rc);
    String[] parts = rc.request().path().split("/");
    if (principal == null || parts.length < 4) {
      rc.next();
      return;
    }
    check(principal, streamOf.apply(parts)).onSuccess(ok -> rc.next()).onFailure(rc::fail);
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
