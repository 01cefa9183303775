package dev.streamhub.transport.ws;

import dev.streamhub.config.WsConfig;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.PrimedDeflater;
import dev.streamhub.worker.Generations;
import io.netty.channel.ChannelHandler;
import io.vertx.core.Future;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /v1/ws}: upgrades the request and hands the socket to a {@link WsConnection}. */
public final class WsHandler {

  /** Netty's permessage-deflate encoder (package-private there), as the handshake adds it. */
  private static final String NETTY_DEFLATE_ENCODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateEncoder";

  private final Sessions sessions;
  private final Generations generations;
  private final WsConfig config;
  private final int writeQueueBytes;
  /** One deflater for every compressed socket of this event loop. */
  private final PrimedDeflater.Shared deflate = new PrimedDeflater.Shared(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL);

  /** Created on, and used from, one edge event loop. */
  public WsHandler(Sessions sessions, Generations generations, WsConfig config, int writeQueueBytes) {
    this.sessions = sessions;
    this.generations = generations;
    this.config = config;
    this.writeQueueBytes = writeQueueBytes;
  }

  /** The server options WebSockets need: frame and message bounds, permessage-deflate. */
  public static HttpServerOptions configure(HttpServerOptions options, WsConfig config) {
    return options
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setPerMessageWebSocketCompressionSupported(config.compression())
        .setPerFrameWebSocketCompressionSupported(false);
  }

  /**
   * Puts a {@link SharedDeflateEncoder} where Netty put its permessage-deflate encoder, when the
   * client negotiated compression (always with context takeover: the server does not allow
   * server_no_context_takeover, so an offer asking for it gets no compression at all). True when it did.
   */
  static boolean shareDeflater(RoutingContext rc, PrimedDeflater.Shared deflate) {
    if (!(rc.request().connection() instanceof ConnectionBase)) {
      return false;
    }
    ChannelPipeline pipeline = ((ConnectionBase) rc.request().connection()).channelHandlerContext().pipeline();
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      if (handler.getValue().getClass().getName().equals(NETTY_DEFLATE_ENCODER)) {
        pipeline.replace(handler.getKey(), handler.getKey(), new SharedDeflateEncoder(deflate));
        return true;
      }
    }
    return false;
  }

  public void mount(Router router) {
    router.get("/v1/ws").handler(this::upgrade);
  }

  /**
   * The session is opened (admitted, counted) before the upgrade, so a refused client gets an HTTP
   * error and no socket; a failed handshake closes the session again.
   */
  private void upgrade(RoutingContext rc) {
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      rc.fail(new HubException(ErrorCode.BAD_REQUEST, "/v1/ws expects a WebSocket upgrade"));
      return;
    }
    WsConnection connection = new WsConnection(generations, config, sessions.stats());
    sessions.open(Transport.WEBSOCKET, rc, connection)
        .compose(session -> rc.request().toWebSocket()
            .onFailure(err -> session.close())
            .recover(err -> Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "WebSocket handshake failed: " + err.getMessage())))
            .map(ws -> {
              DirectWrites.apply(ws); // the edge server runs in strict thread mode; see DirectWrites
              shareDeflater(rc, deflate);
              ws.setWriteQueueMaxSize(writeQueueBytes);
              connection.start(session, ws);
              return ws;
            }))
        .onFailure(rc::fail);
  }
}
