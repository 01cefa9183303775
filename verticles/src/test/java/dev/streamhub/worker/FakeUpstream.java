package dev.streamhub.worker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An OpenAI-compatible model server for tests, streaming real {@code chat.completion.chunk} SSE.
 * The model name picks the behaviour: {@code fake-gpt} streams {@link #TOKENS}, then usage and
 * {@code [DONE]}; {@code fake-slow} sends its first token after {@link #SLOW_MS}; {@code fake-cut}
 * drops the connection after two tokens; {@code fake-error} answers 429 with an OpenAI error body;
 * {@code fake-garbage} sends an event that is not JSON; {@code fake-endless} streams until the
 * client closes; {@code fake-script} writes the raw bytes of the {@link #script} its last message
 * names. Records each request and when its connection closed.
 */
public final class FakeUpstream {

  static final List<String> TOKENS = List.of("Hel", "lo", ",", " wör", "ld", "!");
  static final List<String> MODELS = List.of("fake-gpt", "fake-slow", "fake-cut", "fake-error", "fake-garbage", "fake-endless", "fake-script");
  /** The model whose answer is a {@link #script}, named by the request's last message content. */
  public static final String SCRIPTED = "fake-script";
  static final long SLOW_MS = 3000;
  static final String ERROR_MESSAGE = "Rate limit reached for fake-error";

  private final Vertx vertx;
  private final ConcurrentLinkedQueue<HttpServerRequest> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<JsonObject> bodies = new ConcurrentLinkedQueue<>();
  private final Map<String, Promise<Void>> closed = new ConcurrentHashMap<>();
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private HttpServer server;

  public FakeUpstream(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Raw writes a {@code fake-script} request whose last message is {@code name} gets, {@code gapMs} apart, then the end. */
  public record Script(List<Buffer> writes, long gapMs) {}

  /**
   * Registers the answer to {@code fake-script} requests whose last message content is {@code name}:
   * status 200, {@code text/event-stream}, then {@code writes} as they are, {@code gapMs} apart, then
   * the end of the response.
   */
  public FakeUpstream script(String name, List<Buffer> writes, long gapMs) {
    scripts.put(name, new Script(List.copyOf(writes), gapMs));
    return this;
  }

  /** One {@code data:} frame of a {@code chat.completion.chunk} with {@code content}, non-ASCII written as JSON escapes. */
  public static String contentFrame(String content) {
    return "data: " + asciiJson(token(SCRIPTED, content)) + "\n\n";
  }

  /** The finish chunk, usage chunk and {@code [DONE]} frames ending a scripted answer of {@code tokens} tokens. */
  public static String endFrames(int tokens) {
    return event(chunk(SCRIPTED, new JsonObject(), "stop"))
        + event(new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1L)
            .put("model", SCRIPTED).put("choices", new JsonArray())
            .put("usage", new JsonObject().put("prompt_tokens", 1).put("completion_tokens", tokens).put("total_tokens", 1 + tokens)))
        + "data: [DONE]\n\n";
  }

  /** JSON text with every character outside ASCII as a {@code \}{@code uXXXX} escape, as Python's json.dumps writes it. */
  public static String asciiJson(Object json) {
    String text = json instanceof JsonArray ? ((JsonArray) json).encode() : ((JsonObject) json).encode();
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  /**
   * Hub config serving {@link #SCRIPTED} from {@code fake}, named so that the hub does not ask the
   * upstream for its models when it starts (one request, and one way to fail, fewer).
   */
  public static JsonObject scriptedOnly(FakeUpstream fake) {
    return new JsonObject().put("upstreams", new JsonArray().add(new JsonObject()
        .put("name", "fake").put("base_url", fake.baseUrl()).put("models", new JsonArray().add(SCRIPTED))));
  }

  public Future<FakeUpstream> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(this::handle);
    return server.listen().map(this);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** The bodies of the chat requests received so far. */
  List<JsonObject> bodies() {
    return List.copyOf(bodies);
  }

  List<String> authorizations() {
    return requests.stream().map(r -> String.valueOf(r.getHeader("Authorization"))).collect(java.util.stream.Collectors.toList());
  }

  /** Completes when the connection of the (first) chat request for {@code model} closes. */
  Future<Void> closed(String model) {
    return closed.computeIfAbsent(model, m -> Promise.promise()).future();
  }

  private void handle(HttpServerRequest req) {
    requests.add(req);
    if (req.path().equals("/v1/models")) {
      JsonArray data = new JsonArray();
      MODELS.forEach(m -> data.add(new JsonObject().put("id", m).put("object", "model").put("created", 1L).put("owned_by", "fake")));
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("object", "list").put("data", data).encode());
      return;
    }
    req.body().onSuccess(body -> {
      JsonObject json = body.toJsonObject();
      bodies.add(json);
      String model = json.getString("model");
      HttpServerResponse resp = req.response();
      Promise<Void> close = closed.computeIfAbsent(model, m -> Promise.promise());
      resp.closeHandler(v -> close.tryComplete());
      if (model.equals("fake-error")) {
        resp.setStatusCode(429).putHeader("Content-Type", "application/json").end(new JsonObject().put("error",
            new JsonObject().put("message", ERROR_MESSAGE).put("type", "rate_limit_error").put("code", "rate_limit_exceeded")).encode());
        return;
      }
      resp.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8");
      if (model.equals(SCRIPTED)) {
        JsonArray messages = json.getJsonArray("messages");
        Script script = scripts.get(messages.getJsonObject(messages.size() - 1).getString("content"));
        play(resp, script.writes(), 0, script.gapMs());
        return;
      }
      resp.write(event(chunk(model, new JsonObject().put("role", "assistant").put("content", ""), null)));
      switch (model) {
        case "fake-gpt":
          streamAll(resp, model);
          break;
        case "fake-slow":
          vertx.setTimer(SLOW_MS, id -> streamAll(resp, model));
          break;
        case "fake-cut":
          resp.write(event(token(model, TOKENS.get(0))));
          resp.write(event(token(model, TOKENS.get(1)))).onComplete(ar -> req.connection().close());
          break;
        case "fake-garbage":
          resp.write(event(token(model, TOKENS.get(0))));
          resp.write("data: {this is not json\n\n");
          break;
        default:
          long timer = vertx.setPeriodic(20, id -> resp.write(event(token(model, "tick "))));
          resp.closeHandler(v -> {
            vertx.cancelTimer(timer);
            close.tryComplete();
          });
      }
    });
  }

  private void play(HttpServerResponse resp, List<Buffer> writes, int next, long gapMs) {
    if (next == writes.size()) {
      resp.end();
      return;
    }
    resp.write(writes.get(next));
    if (gapMs == 0) {
      play(resp, writes, next + 1, gapMs);
    } else {
      vertx.setTimer(gapMs, id -> play(resp, writes, next + 1, gapMs));
    }
  }

  /** Every token, the finish chunk, the usage chunk and [DONE]; one frame split across two writes. */
  private static void streamAll(HttpServerResponse resp, String model) {
    for (String token : TOKENS) {
      String frame = event(token(model, token));
      resp.write(frame.substring(0, 7));
      resp.write(frame.substring(7));
    }
    resp.write(event(chunk(model, new JsonObject(), "stop")));
    resp.write(event(new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1L)
        .put("model", model).put("choices", new JsonArray())
        .put("usage", new JsonObject().put("prompt_tokens", 9).put("completion_tokens", TOKENS.size()).put("total_tokens", 9 + TOKENS.size()))));
    resp.end("data: [DONE]\n\n");
  }

  private static JsonObject token(String model, String text) {
    return chunk(model, new JsonObject().put("content", text), null);
  }

  private static JsonObject chunk(String model, JsonObject delta, String finishReason) {
    return new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1L).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finishReason)));
  }

  private static String event(JsonObject chunk) {
    return "data: " + chunk.encode() + "\n\n";
  }
}
