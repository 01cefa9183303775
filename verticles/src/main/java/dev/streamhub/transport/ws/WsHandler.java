package dev.streamhub.transport.ws;

import dev.streamhub.config.WsConfig;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.internal.DeflaterSwap;
import dev.streamhub.internal.DirectWrites;
import dev.streamhub.session.Session;
import dev.streamhub.internal.ChannelReads;
import dev.streamhub.session.Sessions;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.PrimedDeflater;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /v1/ws}: upgrades the request and hands the socket to a {@link WsConnection}. */
public final class WsHandler {

  private final Sessions sessions;
  private final Generations generations;
  private final WsConfig config;
  private final int writeQueueBytes;
  /** One deflater for every compressed socket of this event loop. */
  private final PrimedDeflater.Shared deflate = new PrimedDeflater.Shared(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL);
  private final DirectWrites directWrites;
  private final DeflaterSwap deflaterSwap;

  /** Created on, and used from, one edge event loop. */
  public WsHandler(Sessions sessions, Generations generations, WsConfig config, int writeQueueBytes) {
    this.sessions = sessions;
    this.generations = generations;
    this.config = config;
    this.writeQueueBytes = writeQueueBytes;
    this.directWrites = DirectWrites.create(config.directWrites());
    this.deflaterSwap = DeflaterSwap.create(config.sharedDeflater());
  }

  /** The server options WebSockets need: frame and message bounds, permessage-deflate. */
  public static HttpServerOptions configure(HttpServerOptions options, WsConfig config) {
    return options
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setPerMessageWebSocketCompressionSupported(config.compression())
        .setPerFrameWebSocketCompressionSupported(false);
  }

  public void mount(Router router) {
    router.get("/v1/ws").handler(this::upgrade);
  }

  /**
   * The session is opened (admitted, counted) before the upgrade, so a refused client gets an HTTP
   * error and no socket, unless the refusal's code closes sockets ({@code rate_limited}: a browser
   * cannot read a refused upgrade's status, so it gets an error message and close 1013). After the
   * upgrade the guard may still authenticate the socket ({@link Sessions#upgraded}: a token as the
   * first message); a failed handshake or a refused socket closes the session again.
   */
  private void upgrade(RoutingContext rc) {
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      rc.fail(new HubException(ErrorCode.BAD_REQUEST, "/v1/ws expects a WebSocket upgrade"));
      return;
    }
    WsConnection connection = new WsConnection(generations, config, sessions.stats(), Conversations.of(rc.vertx()));
    WsUpgrade.open(sessions, rc, connection)
        .compose(session -> WsUpgrade.accept(rc, session)
            .compose(ws -> {
              directWrites.apply(ws); // the edge server runs in strict thread mode; see DirectWrites
              deflaterSwap.apply(rc.request().connection(), () -> new SharedDeflateEncoder(deflate));
              ws.setWriteQueueMaxSize(writeQueueBytes);
              ws.pause();
              return sessions.upgraded(session, ws)
                  .onFailure(refused -> session.close())
                  .recover(refused -> Future.failedFuture(UpgradeRefusal.told(HubException.of(refused))))
                  .map(admitted -> {
                    connection.start(session, ws, ChannelReads.of(rc.request().connection()));
                    ws.resume();
                    return ws;
                  });
            }))
        .onFailure(err -> WsUpgrade.fail(rc, err));
  }
}
