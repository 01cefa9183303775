package dev.streamhub.transport;

import dev.streamhub.auth.EdgeSecurity;
import dev.streamhub.config.HubConfig;
import dev.streamhub.ops.AdminHandler;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.conversation.ConversationsHandler;
import dev.streamhub.ops.Drain;
import dev.streamhub.ops.HealthHandler;
import dev.streamhub.ops.StoreProbe;
import dev.streamhub.ops.metrics.HubMetrics;
import dev.streamhub.ops.metrics.MetricsHandler;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.publish.Publisher;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamWriter;
import dev.streamhub.broker.Fanout;
import dev.streamhub.session.DisconnectWatch;
import dev.streamhub.session.Sessions;
import dev.streamhub.transport.openai.ChatCompletionsHandler;
import dev.streamhub.transport.poll.PollHandler;
import dev.streamhub.transport.realtime.RealtimeHandler;
import dev.streamhub.transport.responses.ResponsesHandler;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.transport.ws.WsHandler;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The HTTP edge: one server and router per instance, mounting every client-facing endpoint. */
public final class EdgeVerticle extends VerticleBase {

  /** After the drain deadline, how long the last writes get before Vert.x closes what is left. */
  private static final long CLOSE_GRACE_MS = 1000;
  /** The endpoints that take a JSON body. */
  private static final List<String> BODY_PATHS = List.of("/v1/chat/completions", "/v1/streams", "/v1/streams/:id/events", "/v1/responses");

  private final HubConfig config;
  private final EdgeParts parts;
  private final Drain drain;
  private final int port;
  private HttpServer server;

  /** @param port the port to bind, which may differ from the configured one (0 resolved by the first instance) */
  public EdgeVerticle(HubConfig config, EdgeParts parts, int port) {
    this.config = config;
    this.parts = parts;
    this.drain = parts.drain();
    this.port = port;
  }

  /** The port this instance listens on, once started. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    StreamLog log = parts.log();
    StreamWriter writer = new StreamWriter(log, parts.broker());
    Generations generations = new Generations(vertx, log, writer, config.worker());
    // every reading connection of this event loop, whichever transport: one live registration per stream
    DisconnectWatch disconnects = new DisconnectWatch(vertx, generations::cancel, config.worker().disconnectGraceMaxMs(),
        config.worker().acceptTimeoutMs(), config.log().maxAgeSeconds() * 1000);
    Sessions sessions = new Sessions(vertx, config, log, parts.stats(), parts.guard(), new Fanout(parts.broker()), disconnects);
    SseStreams sse = new SseStreams(vertx, sessions, config.sse(), config.http().writeQueueBytes());

    Router router = Router.router(vertx);
    new HealthHandler(vertx, drain, new StoreProbe(log)).mount(router);
    new MetricsHandler(HubMetrics.of(vertx)).mount(router);
    new AdminHandler(vertx, drain, config.ops().adminToken(), config.drain().timeoutMs()).mount(router);
    router.route().handler(this::refuseWhileDraining);
    EdgeSecurity security = new EdgeSecurity(vertx, config, log);
    security.mount(router);
    HttpSemantics semantics = HttpSemantics.mount(router, log, BODY_PATHS);
    // bodies are read only where a POST takes one (a path-less POST route would turn every 404 into a 405)
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    for (String path : BODY_PATHS) {
      router.post(path).handler(body);
    }
    new ClusterHandler(vertx).mount(router);
    TransportGate.mount(router, config.http());
    new ModelsHandler(generations).mount(router);
    new ChatCompletionsHandler(generations, sse, sessions).mount(router);
    PublishHandler publish = new PublishHandler(new Publisher(log, writer));
    publish.mount(router);
    new StreamsHandler(log, generations, sse, publish, disconnects).mount(router);
    new ResponsesHandler(log, generations, sse, sessions).mount(router);
    new RealtimeHandler(sessions, generations).mount(router);
    new ConversationsHandler(Conversations.of(vertx)).mount(router);
    new PollHandler(vertx, sessions, config.poll(), config.http().writeQueueBytes()).mount(router);
    new WsHandler(sessions, generations, config.ws(), config.http().writeQueueBytes()).mount(router);
    // the browser demo (web-demo/): only page-like paths, so an unknown API path stays a 404
    router.getWithRegex("/|/[\\w-]+\\.(html|js|css)").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(ErrorResponses::onFailure);
    router.errorHandler(404, rc -> ErrorResponses.send(rc, semantics.noRoute(rc)));
    router.errorHandler(405, rc -> ErrorResponses.send(rc, semantics.noRoute(rc)));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(true)
        // every read and write of a connection happens on its event loop (subscriptions run on the
        // edge verticle's context), which spares Vert.x a cross-thread write queue per connection
        .setStrictThreadMode(true);
    if (config.http().sendBufferBytes() > 0) {
      options.setSendBufferSize(config.http().sendBufferBytes());
    }
    WsHandler.configure(options, config.ws());
    security.configure(options);
    server = vertx.createHttpServer(options).requestHandler(router).connectionHandler(security::opened);
    return server.listen().onSuccess(listening -> {
      drain.register(sessions); // readers: let go on SIGTERM and on an admin drain (POST /admin/drain)
      drain.register(this::closeServer); // the port: closed on SIGTERM only
    });
  }

  /**
   * The final drain: stop accepting connections and close idle ones (Vert.x closes a connection
   * once its response in progress ended); past the deadline Vert.x closes the rest.
   */
  private Future<Void> closeServer(long deadline) {
    long left = Math.max(0, deadline - System.currentTimeMillis());
    return server.shutdown(left + CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  /** While the node drains, every request but the health checks gets 503 {@code draining}. */
  private void refuseWhileDraining(RoutingContext rc) {
    if (!drain.draining()) {
      rc.next();
      return;
    }
    rc.response().putHeader(HttpHeaders.CONNECTION, "close").putHeader("Retry-After", "1");
    rc.fail(new HubException(ErrorCode.DRAINING, "this node is shutting down; retry on another node"));
  }
}
