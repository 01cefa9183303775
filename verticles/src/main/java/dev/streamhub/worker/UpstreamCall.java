package dev.streamhub.worker;

import dev.streamhub.config.UpstreamConfig.Upstream;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming {@code POST /chat/completions} to an upstream, turned into {@link TokenSink} calls:
 * each {@code delta.content} a delta (a character split across two deltas rejoined, see
 * {@link SurrogateCarry}), {@code data: [DONE]} (with the usage chunk asked for by
 * {@code stream_options.include_usage}) the finish. Errors end it once, with
 * {@code upstream_unavailable}, {@code upstream_error} or {@code upstream_timeout}; a stop resets
 * the upstream request, which closes its connection.
 */
final class UpstreamCall {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCall.class);
  private static final int MAX_LINE_BYTES = 1024 * 1024;
  private static final int MAX_MESSAGE_CHARS = 500;

  private final Vertx vertx;
  private final HttpClient client;
  private final Upstream upstream;
  private final GenerateRequest request;
  private final TokenSink out;
  private final SseDecoder decoder;
  private final SurrogateCarry carry = new SurrogateCarry();
  private HttpClientRequest upstreamRequest;
  private long firstTokenTimer = -1;
  private boolean tokenSeen;
  private boolean ended;
  private String finishReason;
  private JsonObject usage;
  private int deltas;

  UpstreamCall(Vertx vertx, HttpClient client, Upstream upstream, GenerateRequest request, TokenSink out) {
    this.vertx = vertx;
    this.client = client;
    this.upstream = upstream;
    this.request = request;
    this.out = out;
    this.decoder = new SseDecoder(MAX_LINE_BYTES, this::onEvent,
        () -> fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' sent malformed SSE: a line or an event over " + MAX_LINE_BYTES + " bytes"));
  }

  /** Sends the request; the returned handle stops the call and closes the upstream request. */
  Runnable start() {
    firstTokenTimer = vertx.setTimer(upstream.timeoutMs(), id -> fail(ErrorCode.UPSTREAM_TIMEOUT,
        "upstream '" + upstream.name() + "' sent no token within " + upstream.timeoutMs() + " ms"));
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(upstream.baseUrl() + "/chat/completions")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream");
    if (upstream.apiKey() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + upstream.apiKey());
    }
    client.request(options)
        .compose(req -> {
          upstreamRequest = req;
          if (ended) {
            req.reset();
          }
          return req.send(body().toBuffer());
        })
        .onSuccess(this::onResponse)
        .onFailure(err -> {
          if (upstreamRequest == null || err instanceof ConnectException) {
            fail(ErrorCode.UPSTREAM_UNAVAILABLE, "upstream '" + upstream.name() + "' is unavailable: " + describe(err));
          } else {
            fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' failed: " + describe(err));
          }
        });
    return this::stop;
  }

  private JsonObject body() {
    JsonObject body = new JsonObject()
        .put("model", request.model())
        .put("messages", request.messages())
        .put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    if (request.maxTokens() > 0) {
      body.put("max_tokens", request.maxTokens());
    }
    if (request.seed() != null) {
      body.put("seed", request.seed());
    }
    return body;
  }

  private void onResponse(HttpClientResponse response) {
    if (ended) {
      return;
    }
    if (response.statusCode() != 200) {
      response.body()
          .map(UpstreamCall::upstreamMessage)
          .otherwise("")
          .onSuccess(message -> fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' answered "
              + response.statusCode() + message));
      return;
    }
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.startsWith("text/event-stream")) {
      fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' did not stream (content type " + type + ")");
      return;
    }
    response.handler(decoder);
    response.exceptionHandler(err -> fail(ErrorCode.UPSTREAM_ERROR,
        "upstream '" + upstream.name() + "' connection failed mid-stream: " + describe(err)));
    response.endHandler(v -> {
      if (finishReason != null) {
        finish();
      } else {
        fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' ended the stream before it finished");
      }
    });
  }

  /**
   * One decoded event: a {@code message} (no {@code event:} field, as OpenAI-compatible servers send)
   * or an {@code error} event carries a chunk; events of other types are not part of the chat
   * completion stream and are skipped.
   */
  private void onEvent(SseEvent event) {
    if (!ended && (event.type().equals("message") || event.type().equals("error"))) {
      onData(event.data());
    }
  }

  private void onData(String data) {
    if (data.equals("[DONE]")) {
      finish();
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' sent malformed SSE: an event that is not a JSON object");
      return;
    }
    if (chunk.getValue("error") instanceof JsonObject) {
      fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' failed mid-stream" + errorMessage(chunk));
      return;
    }
    if (chunk.getValue("usage") instanceof JsonObject) {
      usage = chunk.getJsonObject("usage");
    }
    Object choices = chunk.getValue("choices");
    if (!(choices instanceof JsonArray)) {
      fail(ErrorCode.UPSTREAM_ERROR, "upstream '" + upstream.name() + "' sent malformed SSE: a chunk without 'choices'");
      return;
    }
    if (((JsonArray) choices).isEmpty() || !(((JsonArray) choices).getValue(0) instanceof JsonObject)) {
      return;
    }
    JsonObject choice = ((JsonArray) choices).getJsonObject(0);
    Object delta = choice.getValue("delta");
    if (delta instanceof JsonObject && ((JsonObject) delta).getValue("content") instanceof String) {
      String text = carry.next(((JsonObject) delta).getString("content"));
      if (!text.isEmpty()) {
        firstToken();
        deltas++;
        out.delta(text);
      }
    }
    if (choice.getValue("finish_reason") instanceof String) {
      finishReason = choice.getString("finish_reason");
    }
  }

  private void firstToken() {
    if (!tokenSeen) {
      tokenSeen = true;
      vertx.cancelTimer(firstTokenTimer);
    }
  }

  private void finish() {
    if (ended) {
      return;
    }
    String rest = carry.flush();
    if (!rest.isEmpty()) {
      deltas++;
      out.delta(rest);
    }
    ended = true;
    decoder.stop();
    vertx.cancelTimer(firstTokenTimer);
    int prompt = usage == null ? 0 : usage.getInteger("prompt_tokens", 0);
    int completion = usage == null ? deltas : usage.getInteger("completion_tokens", deltas);
    out.finish(finishReason == null ? "stop" : finishReason, prompt, completion);
  }

  private void fail(ErrorCode code, String message) {
    if (ended) {
      return;
    }
    LOG.atDebug().addKeyValue("stream", request.stream()).log("upstream={} {}: {}", upstream.name(), code.code(), message);
    stop();
    out.fail(new HubException(code, message));
  }

  private void stop() {
    ended = true;
    decoder.stop();
    vertx.cancelTimer(firstTokenTimer);
    if (upstreamRequest != null) {
      upstreamRequest.reset();
    }
  }

  /** ": <message>" from an OpenAI error body, shortened and on one line; "" when there is none. */
  private static String upstreamMessage(Buffer body) {
    try {
      return errorMessage(new JsonObject(body));
    } catch (DecodeException | ClassCastException e) {
      return "";
    }
  }

  private static String errorMessage(JsonObject json) {
    Object error = json.getValue("error");
    Object message = error instanceof JsonObject ? ((JsonObject) error).getValue("message") : null;
    if (!(message instanceof String) || ((String) message).isBlank()) {
      return "";
    }
    String oneLine = ((String) message).replaceAll("[\\p{Cntrl}]+", " ").trim();
    return ": " + (oneLine.length() > MAX_MESSAGE_CHARS ? oneLine.substring(0, MAX_MESSAGE_CHARS) + "..." : oneLine);
  }

  private static String describe(Throwable err) {
    if (err instanceof ConnectException) {
      return "connection refused or timed out";
    }
    String message = err.getMessage();
    return message == null ? err.getClass().getSimpleName() : message.lines().findFirst().orElse("");
  }
}
