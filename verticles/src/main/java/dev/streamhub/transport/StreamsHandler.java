package dev.streamhub.transport;

import dev.streamhub.conversation.Conversations;
import dev.streamhub.session.DisconnectWatch;
import dev.streamhub.session.Owners;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.transport.openai.OpenAiChunks;
import dev.streamhub.transport.sse.NativeSseFormat;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The native stream API: create a generation without streaming it, look a stream up, cancel it,
 * and read it as SSE from any offset.
 */
public final class StreamsHandler {

  private final StreamLog log;
  private final Generations generations;
  private final SseStreams sse;
  private final PublishHandler publish;
  private final DisconnectWatch disconnects;

  /** @param disconnects where a generation that asks for {@code cancel_on_disconnect} is entered */
  public StreamsHandler(StreamLog log, Generations generations, SseStreams sse, PublishHandler publish, DisconnectWatch disconnects) {
    this.disconnects = disconnects;
    this.log = log;
    this.generations = generations;
    this.sse = sse;
    this.publish = publish;
  }

  public void mount(Router router) {
    router.post("/v1/streams").handler(this::create);
    router.get("/v1/streams/:id").handler(this::meta);
    router.delete("/v1/streams/:id").handler(this::cancel);
    router.get("/v1/streams/:id/events").handler(this::events);
  }

  private void create(RoutingContext rc) {
    Future.succeededFuture(rc.body().buffer())
        .map(GenerateRequest::parseObject)
        .compose(json -> PublishHandler.wantsExternal(json)
            ? publish.create(json, Owners.of(rc)).map(meta -> new Conversations.Started(meta, null))
            : generate(rc, json))
        .onSuccess(started -> json(rc, 201, started.conversation() == null
            ? describe(started.meta())
            : describe(started.meta()).put("conversation", started.conversation())))
        .onFailure(rc::fail);
  }

  private Future<Conversations.Started> generate(RoutingContext rc, JsonObject json) {
    GenerateRequest owned = Owners.own(rc, GenerateRequest.fromClient(json));
    return GenerationStart.start(rc.vertx(), generations, disconnects, owned, disconnects.graceOf(json));
  }

  private void meta(RoutingContext rc) {
    knownStream(rc)
        .compose(log::meta)
        .onSuccess(meta -> json(rc, 200, describe(meta)))
        .onFailure(rc::fail);
  }

  private void cancel(RoutingContext rc) {
    knownStream(rc)
        .compose(generations::cancel)
        .onSuccess(event -> json(rc, 200, new JsonObject()
            .put("stream", event.stream())
            .put("status", "cancelled")
            .put("offset", event.offset())))
        .onFailure(rc::fail);
  }

  private void events(RoutingContext rc) {
    Future.succeededFuture(rc)
        .map(Offsets::startOffset)
        .compose(from -> SseStreams.wantsOpenAi(rc)
            ? openAi(rc, from)
            : sse.serve(rc, rc.pathParam("id"), from, Offsets.compact(rc), NativeSseFormat.INSTANCE))
        .onFailure(rc::fail);
  }

  /**
   * OpenAI chunks whose id is {@code from} or more (see {@link OpenAiChunks} for how ids are
   * numbered). A compact read inside the log starts at {@code from} itself: the one-event-early read
   * of {@link OpenAiChunks#readFrom} would merge a delta the client already has into its snapshot.
   */
  private Future<Void> openAi(RoutingContext rc, long from) {
    boolean includeUsage = QueryParams.bool(rc, "include_usage", false);
    boolean compact = Offsets.compact(rc);
    return knownStream(rc).compose(log::meta)
        .compose(meta -> sse.serve(rc, meta.id(),
            compact && from < meta.nextOffset() ? from : OpenAiChunks.readFrom(meta, from),
            compact, new OpenAiChunks(meta, includeUsage, from)));
  }

  private static Future<String> knownStream(RoutingContext rc) {
    String id = rc.pathParam("id");
    return StreamIds.looksValid(id) ? Future.succeededFuture(id) : Future.failedFuture(HubException.streamNotFound(id));
  }

  private static JsonObject describe(StreamMeta meta) {
    JsonObject json = meta.toJson()
        .put("object", "stream")
        .put("events_url", "/v1/streams/" + meta.id() + "/events");
    if (meta.external()) {
      json.put(PublishHandler.PUBLISHER, StreamMeta.EXTERNAL).put("publish_url", "/v1/streams/" + meta.id() + "/events");
    }
    return json;
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
