package dev.streamhub.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * One event loop of the load generator with its own HTTP client. A scenario splits its clients
 * over the shards; everything a shard records is touched by its event loop only, and read by the
 * main thread after the shard's task completed.
 */
public final class Shard extends VerticleBase {

  private final int index;
  private final Target target;
  private final int maxConnections;
  private final Relay relay;
  private HttpClient client;
  private WebSocketClient wsClient;
  private HttpClient publishClient;

  public Shard(int index, Target target, int maxConnections) {
    this(index, target, maxConnections, Relay.STREAMHUB);
  }

  /** @param relay the server relay-mode calls go to: StreamHub, or a peer ({@code --peer nchan}) */
  public Shard(int index, Target target, int maxConnections, Relay relay) {
    this.index = index;
    this.target = target;
    this.maxConnections = maxConnections;
    this.relay = relay;
  }

  @Override
  public Future<?> start() {
    HttpClientOptions options = new HttpClientOptions()
        .setDefaultHost(target.host())
        .setDefaultPort(target.port())
        .setTcpNoDelay(true)
        .setKeepAlive(true)
        .setIdleTimeout(0)
        .setConnectTimeout(10_000);
    client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setDefaultHost(target.host())
        .setDefaultPort(target.port())
        .setTcpNoDelay(true)
        .setIdleTimeout(0)
        .setConnectTimeout(10_000)
        .setMaxConnections(maxConnections));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.join(client.close(), wsClient.close(), publishClient == null ? Future.succeededFuture() : publishClient.close());
  }

  public int index() {
    return index;
  }

  public Context context() {
    return context;
  }

  public Transport transport(String name) {
    return relay.transport(name, client, wsClient, target);
  }

  public Relay relay() {
    return relay;
  }

  /**
   * A second HTTP client for publishing (relay mode), with its own pool of {@code connections}, so
   * publish requests never wait behind readers' connections. Call on this shard's event loop.
   */
  public void openPublisher(int connections) {
    if (publishClient == null) {
      publishClient = vertx.createHttpClient(new HttpClientOptions()
          .setDefaultHost(target.host())
          .setDefaultPort(target.port())
          .setTcpNoDelay(true)
          .setKeepAlive(true)
          .setIdleTimeout(0)
          .setConnectTimeout(10_000), new PoolOptions().setHttp1MaxSize(Math.max(1, connections)));
    }
  }

  /** An empty stream the benchmark publishes to, on this shard's relay (StreamHub or a peer). */
  public Future<String> createExternalStream() {
    return relay.createStream(this, client);
  }

  /** {@code POST /v1/streams {"publisher":"external"}}: an empty stream on the hub. */
  Future<String> createExternalStreamOnHub() {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI("/v1/streams")
        .putHeader("Content-Type", "application/json");
    return client.request(Credentials.apply(options))
        .compose(request -> request.send(Buffer.buffer("{\"publisher\":\"external\"}")))
        .compose(response -> response.body().compose(bytes -> response.statusCode() == 201
            ? Future.succeededFuture(new JsonObject(bytes).getString("stream"))
            : Future.failedFuture("POST /v1/streams (external): HTTP " + response.statusCode() + ": " + bytes)));
  }

  /**
   * {@code POST /v1/streams/{id}/events} (or the peer's publish URL) on the publish client; {@code body} is made once the
   * request has its connection, so a time it puts in the event is the moment of sending, not of
   * queueing for a connection. Call on this shard's event loop, after {@link #openPublisher}.
   */
  public Future<Void> publish(String stream, Supplier<Buffer> body) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI(relay.publishUri(stream))
        .putHeader("Content-Type", "application/json");
    return publishClient.request(Credentials.apply(options))
        .compose(request -> request.send(body.get()))
        .compose(response -> response.body().compose(bytes -> relay.published(response.statusCode())
            ? Future.<Void>succeededFuture()
            : Future.failedFuture("POST " + options.getURI() + ": HTTP " + response.statusCode() + ": " + bytes)));
  }

  /** Runs {@code task} on this shard's event loop; the future completes with the task's. */
  public <T> Future<T> call(Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        task.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /**
   * {@code POST /v1/streams}: starts a generation of {@code maxTokens} tokens; the future holds the
   * stream id. Call on this shard's event loop.
   */
  public Future<String> createStream(String question, int maxTokens) {
    JsonObject body = new JsonObject()
        .put("model", "demo")
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", question)))
        .put("max_tokens", maxTokens);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI("/v1/streams")
        .putHeader("Content-Type", "application/json");
    return client.request(Credentials.apply(options))
        .compose(request -> request.send(body.toBuffer()))
        .compose(response -> response.body().compose(bytes -> response.statusCode() == 201
            ? Future.succeededFuture(new JsonObject(bytes).getString("stream"))
            : Future.failedFuture("POST /v1/streams: HTTP " + response.statusCode() + ": " + bytes)));
  }

  /** {@code GET path}, the JSON body of a 200. Call on this shard's event loop. */
  public Future<JsonObject> getJson(String path) {
    return client.request(Credentials.apply(new RequestOptions().setMethod(HttpMethod.GET).setURI(path)))
        .compose(request -> request.send())
        .compose(response -> response.body().compose(bytes -> response.statusCode() == 200
            ? Future.succeededFuture(new JsonObject(bytes))
            : Future.failedFuture("GET " + path + ": HTTP " + response.statusCode() + ": " + bytes)));
  }

}
