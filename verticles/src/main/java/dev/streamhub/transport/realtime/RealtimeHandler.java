package dev.streamhub.transport.realtime;

import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ws.UpgradeRefusal;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/realtime?model=M} (a WebSocket upgrade): the text subset of OpenAI's Realtime
 * protocol, one {@link RealtimeConnection} per socket. A missing {@code model} or a request that is
 * no upgrade is answered 400 {@code bad_request} before any socket exists. The connection is a
 * session of transport {@code websocket} (counted, drained: close 1012).
 */
public final class RealtimeHandler {

  private final Sessions sessions;
  private final Generations generations;

  public RealtimeHandler(Sessions sessions, Generations generations) {
    this.sessions = sessions;
    this.generations = generations;
  }

  public void mount(Router router) {
    router.get("/v1/realtime").handler(this::upgrade);
  }

  private void upgrade(RoutingContext rc) {
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      rc.fail(new HubException(ErrorCode.BAD_REQUEST, "/v1/realtime expects a WebSocket upgrade"));
      return;
    }
    String model = rc.request().getParam("model");
    if (model == null || model.isBlank()) {
      rc.fail(new HubException(ErrorCode.BAD_REQUEST, "'model' is required: /v1/realtime?model=..."));
      return;
    }
    RealtimeConnection connection = new RealtimeConnection(generations, model);
    // the admission may complete later (a cluster-wide limiter): until the upgrade, the request's
    // end must not be consumed, or toWebSocket fails with "Request has already been read"
    rc.request().pause();
    sessions.open(Transport.WEBSOCKET, rc, connection)
        .recover(refused -> UpgradeRefusal.closesSockets(refused) ? UpgradeRefusal.tell(rc, HubException.of(refused)) : Future.failedFuture(refused))
        .compose(session -> rc.request().toWebSocket()
            .onFailure(err -> session.close())
            .recover(err -> Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "WebSocket handshake failed: " + err.getMessage())))
            .map(ws -> {
              connection.start(session, ws);
              return ws;
            }))
        .onFailure(err -> {
          if (!UpgradeRefusal.wasTold(err)) {
            rc.fail(err);
          }
        });
  }
}
