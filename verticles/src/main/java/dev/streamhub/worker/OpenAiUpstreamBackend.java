package dev.streamhub.worker;

import dev.streamhub.config.UpstreamConfig.Upstream;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenAI-compatible upstream ({@code /v1/chat/completions} with {@code stream:true}) as a model
 * backend, through a non-blocking Vert.x {@link HttpClient}. Serves the configured models, or, when
 * none are configured, every model the upstream lists at {@code /models} when it starts.
 */
public final class OpenAiUpstreamBackend implements ModelBackend {

  /** Concurrent streaming requests to one upstream; each holds an HTTP/1.1 connection. */
  static final int MAX_CONNECTIONS = 512;

  private final Vertx vertx;
  private final Upstream upstream;
  private final HttpClient client;
  private final List<JsonObject> models = new ArrayList<>();

  public OpenAiUpstreamBackend(Vertx vertx, Upstream upstream) {
    this.vertx = vertx;
    this.upstream = upstream;
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, upstream.timeoutMs()))
        .setTcpNoDelay(true)
        .setKeepAlive(true);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
  }

  public String name() {
    return upstream.name();
  }

  /** The configured models, or those {@code GET /models} lists; fails naming the upstream when it cannot list them. */
  @Override
  public Future<Void> start() {
    if (!upstream.models().isEmpty()) {
      upstream.models().forEach(id -> models.add(model(id, upstream.name())));
      return Future.succeededFuture();
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(upstream.baseUrl() + "/models");
    if (upstream.apiKey() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + upstream.apiKey());
    }
    return client.request(options)
        .compose(req -> req.send().compose(this::listed))
        .timeout(upstream.timeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "upstream '" + upstream.name() + "' (" + upstream.baseUrl() + "): cannot list its models at /models: " + err.getMessage())));
  }

  private Future<Void> listed(HttpClientResponse response) {
    return response.body().compose(body -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("HTTP " + response.statusCode());
      }
      Object data = new JsonObject(body).getValue("data");
      if (!(data instanceof JsonArray)) {
        return Future.failedFuture("the answer has no 'data' list");
      }
      for (Object item : (JsonArray) data) {
        if (item instanceof JsonObject && ((JsonObject) item).getValue("id") instanceof String) {
          String id = ((JsonObject) item).getString("id");
          if (!StreamMeta.EXTERNAL.equals(id)) {
            models.add(model(id, ((JsonObject) item).getString("owned_by", upstream.name())));
          }
        }
      }
      return Future.succeededFuture();
    });
  }

  private static JsonObject model(String id, String ownedBy) {
    return new JsonObject().put("id", id).put("object", "model").put("created", 1_700_000_000L).put("owned_by", ownedBy);
  }

  @Override
  public List<JsonObject> models() {
    return List.copyOf(models);
  }

  @Override
  public Runnable generate(GenerateRequest request, TokenSink out) {
    return new UpstreamCall(vertx, client, upstream, request, out).start();
  }
}
