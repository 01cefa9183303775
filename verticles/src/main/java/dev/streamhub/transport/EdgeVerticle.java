package dev.streamhub.transport;

import dev.streamhub.config.HubConfig;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamWriter;
import dev.streamhub.transport.openai.ChatCompletionsHandler;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** The HTTP edge: one server and router per instance, mounting every client-facing endpoint. */
public final class EdgeVerticle extends VerticleBase {

  private final HubConfig config;
  private final StreamLog log;
  private final int port;
  private HttpServer server;

  /** @param port the port to bind, which may differ from the configured one (0 resolved by the first instance) */
  public EdgeVerticle(HubConfig config, StreamLog log, int port) {
    this.config = config;
    this.log = log;
    this.port = port;
  }

  /** The port this instance listens on, once started. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    int readBatch = config.log().readBatch();
    StreamWriter writer = new StreamWriter(log, vertx.eventBus());
    Generations generations = new Generations(vertx, log, writer, config.worker());
    SseStreams sse = new SseStreams(vertx, log, config.sse(), readBatch);

    Router router = Router.router(vertx);
    // Not router.post(): a route with a method but no path "matches the path" of every request, so
    // vertx-web would answer every unknown GET path with 405 instead of 404.
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    router.route().handler(rc -> {
      if (rc.request().method() == HttpMethod.POST) {
        bodies.handle(rc);
      } else {
        rc.next();
      }
    });
    router.get("/health/live").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"status\":\"UP\"}"));
    new ModelsHandler(generations).mount(router);
    new ChatCompletionsHandler(vertx, log, generations, sse, readBatch).mount(router);
    new StreamsHandler(log, generations, sse).mount(router);
    router.route().failureHandler(ErrorResponses::onFailure);
    router.errorHandler(404, rc -> ErrorResponses.send(rc, ErrorResponses.fromStatus(rc)));
    router.errorHandler(405, rc -> ErrorResponses.send(rc, ErrorResponses.fromStatus(rc)));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(port)
        .setTcpNoDelay(true);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }
}
