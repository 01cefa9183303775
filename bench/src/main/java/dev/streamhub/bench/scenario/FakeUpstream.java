package dev.streamhub.bench.scenario;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A zero-delay OpenAI-compatible model server on 127.0.0.1 inside the benchmark's JVM:
 * {@code GET /v1/models} lists one model; {@code POST /v1/chat/completions} with {@code stream:true}
 * answers at once with {@code tokens} {@code chat.completion.chunk} events (the first with
 * {@code role}), a finish chunk, the usage chunk when {@code stream_options.include_usage} asks,
 * and {@code data: [DONE]}, all in one write. Anything else is an OpenAI-style error.
 */
final class FakeUpstream {

  static final String MODEL = "bench-fake";

  private final HttpServer server;
  private final Buffer body;
  private final Buffer bodyWithUsage;
  private long requests;

  private FakeUpstream(HttpServer server, int tokens) {
    this.server = server;
    this.body = answer(tokens, false);
    this.bodyWithUsage = answer(tokens, true);
  }

  static FakeUpstream start(Vertx vertx, int tokens) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    FakeUpstream fake = new FakeUpstream(server, tokens);
    server.requestHandler(fake::handle);
    server.listen().await();
    return fake;
  }

  int port() {
    return server.actualPort();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** Chat completions served so far (read from the fake's event loop, or after the run). */
  synchronized long requests() {
    return requests;
  }

  void close() {
    server.close().await();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (req.method() == HttpMethod.GET && path.equals("/v1/models")) {
      JsonObject models = new JsonObject().put("object", "list").put("data", new JsonArray()
          .add(new JsonObject().put("id", MODEL).put("object", "model").put("created", 0).put("owned_by", "bench")));
      req.response().putHeader("Content-Type", "application/json").end(models.toBuffer());
      return;
    }
    if (req.method() == HttpMethod.POST && path.equals("/v1/chat/completions")) {
      req.body().onSuccess(bytes -> {
        JsonObject request;
        try {
          request = new JsonObject(bytes);
        } catch (RuntimeException e) {
          error(req, 400, "invalid_request_error", "body is not JSON");
          return;
        }
        if (!request.getBoolean("stream", false)) {
          error(req, 400, "invalid_request_error", "this fake upstream only streams (stream:true)");
          return;
        }
        synchronized (this) {
          requests++;
        }
        JsonObject options = request.getJsonObject("stream_options");
        boolean usage = options != null && options.getBoolean("include_usage", false);
        req.response()
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache")
            .end(usage ? bodyWithUsage : body);
      });
      return;
    }
    error(req, 404, "not_found", "no route " + req.method() + " " + path);
  }

  private static void error(HttpServerRequest req, int status, String type, String message) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)).toBuffer());
  }

  /** The whole SSE answer, computed once: the fake spends no time per request beyond writing it. */
  static Buffer answer(int tokens, boolean usage) {
    Buffer out = Buffer.buffer();
    long created = System.currentTimeMillis() / 1000;
    for (int i = 0; i < tokens; i++) {
      JsonObject delta = new JsonObject();
      if (i == 0) {
        delta.put("role", "assistant");
      }
      delta.put("content", i == 0 ? "Hello" : " tok" + i);
      out.appendString("data: ").appendBuffer(chunk(created, delta, null).toBuffer()).appendString("\n\n");
    }
    out.appendString("data: ").appendBuffer(chunk(created, new JsonObject(), "stop").toBuffer()).appendString("\n\n");
    if (usage) {
      JsonObject u = new JsonObject().put("id", "chatcmpl-bench").put("object", "chat.completion.chunk").put("created", created)
          .put("model", MODEL).put("choices", new JsonArray())
          .put("usage", new JsonObject().put("prompt_tokens", 8).put("completion_tokens", tokens).put("total_tokens", 8 + tokens));
      out.appendString("data: ").appendBuffer(u.toBuffer()).appendString("\n\n");
    }
    out.appendString("data: [DONE]\n\n");
    return out;
  }

  private static JsonObject chunk(long created, JsonObject delta, String finishReason) {
    return new JsonObject()
        .put("id", "chatcmpl-bench")
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", MODEL)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("delta", delta)
            .put("logprobs", (Object) null)
            .put("finish_reason", finishReason)));
  }
}
