package dev.streamhub.transport.realtime;

import dev.streamhub.session.Sessions;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ws.WsUpgrade;
import dev.streamhub.worker.Generations;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/realtime?model=M} (a WebSocket upgrade): the text subset of OpenAI's Realtime
 * protocol, one {@link RealtimeConnection} per socket. A missing {@code model} or a request that is
 * no upgrade is answered 400 {@code bad_request} before any socket exists. The connection is a
 * session of transport {@code websocket} (counted, drained: close 1012), upgraded as {@code /v1/ws}
 * is ({@link WsUpgrade}: a protocol violation closes with its RFC 6455 status).
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
    WsUpgrade.open(sessions, rc, connection)
        .compose(session -> WsUpgrade.accept(rc, session).map(ws -> {
          connection.start(session, ws);
          return ws;
        }))
        .onFailure(err -> WsUpgrade.fail(rc, err));
  }
}
