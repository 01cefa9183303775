package dev.streamhub.transport.ws;

import dev.streamhub.auth.EdgeSecurity;
import dev.streamhub.config.WsConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.LiveFeeds;
import dev.streamhub.transport.EdgeClients;
import dev.streamhub.transport.EdgeStats;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.transport.PrimedDeflater;
import dev.streamhub.transport.Ticker;
import dev.streamhub.worker.Generations;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /v1/ws}: upgrades the request and hands the socket to a {@link WsConnection}. */
public final class WsHandler {

  /** Netty's permessage-deflate encoder (package-private there), as the handshake adds it. */
  private static final String NETTY_DEFLATE_ENCODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateEncoder";

  private final Vertx vertx;
  private final StreamLog log;
  private final Generations generations;
  private final WsConfig config;
  private final int readBatch;
  private final int writeQueueBytes;
  private final EdgeStats stats;
  private final EdgeClients clients;
  /** One ping timer for every socket of this event loop. */
  private final Ticker pings;
  /** This event loop's live feeds, shared by every transport of the edge instance. */
  private final LiveFeeds feeds;
  /** One deflater for every compressed socket of this event loop. */
  private final PrimedDeflater.Shared deflate = new PrimedDeflater.Shared(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL);

  /** Created on, and used from, one edge event loop. */
  public WsHandler(Vertx vertx, StreamLog log, Generations generations, WsConfig config, int readBatch, int writeQueueBytes,
      EdgeStats stats, EdgeClients clients, LiveFeeds feeds) {
    this.vertx = vertx;
    this.log = log;
    this.generations = generations;
    this.config = config;
    this.readBatch = readBatch;
    this.writeQueueBytes = writeQueueBytes;
    this.stats = stats;
    this.clients = clients;
    this.pings = new Ticker(vertx, config.pingIntervalMs());
    this.feeds = feeds;
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

  private void upgrade(RoutingContext rc) {
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      ErrorResponses.send(rc, new HubException(ErrorCode.BAD_REQUEST, "/v1/ws expects a WebSocket upgrade"));
      return;
    }
    rc.request().toWebSocket()
        .onSuccess(ws -> {
          DirectWrites.apply(ws); // the edge server runs in strict thread mode; see DirectWrites
          shareDeflater(rc, deflate);
          ws.setWriteQueueMaxSize(writeQueueBytes);
          // auth (a first-message token), connection limits: the socket is paused until its handlers are set
          EdgeSecurity.admit(vertx, rc, ws, log).onSuccess(identity -> {
            new WsConnection(vertx, ws, log, generations, config, readBatch, identity, stats, pings, feeds, clients).start();
            ws.resume();
          });
        })
        .onFailure(err -> {
          EdgeSecurity.upgradeFailed(rc);
          ErrorResponses.send(rc, new HubException(ErrorCode.BAD_REQUEST, "WebSocket handshake failed: " + err.getMessage()));
        });
  }
}
