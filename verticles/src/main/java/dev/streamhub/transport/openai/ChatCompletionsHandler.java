package dev.streamhub.transport.openai;

import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.LiveFeeds;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.transport.Owners;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/chat/completions}: OpenAI's endpoint, so OpenAI SDKs work with only a base URL
 * change. {@code X-Stream-Id} names the stream, so the same answer can be read again or resumed
 * at {@code /v1/streams/{id}/events} (with {@code ?format=openai} for the same chunks).
 */
public final class ChatCompletionsHandler {

  private final StreamLog log;
  private final Generations generations;
  private final SseStreams sse;
  private final int readBatch;
  /** This event loop's live feeds, shared by every transport of the edge instance. */
  private final LiveFeeds feeds;

  public ChatCompletionsHandler(Vertx vertx, StreamLog log, Generations generations, SseStreams sse, int readBatch,
      LiveFeeds feeds) {
    this.log = log;
    this.generations = generations;
    this.sse = sse;
    this.readBatch = readBatch;
    this.feeds = feeds;
  }

  public void mount(Router router) {
    router.post("/v1/chat/completions").handler(this::create);
  }

  private void create(RoutingContext rc) {
    Future.succeededFuture(rc.body().buffer())
        .map(ChatRequest::parse)
        .compose(request -> generations.start(request.model(), Owners.of(rc), Owners.quota(rc), request.messages(), request.maxTokens(), request.seed())
            .compose(meta -> request.stream()
                ? sse.serve(rc, meta.id(), 0, new OpenAiChunks(meta, request.includeUsage()))
                : respondWhole(rc, meta)))
        .onFailure(err -> ErrorResponses.send(rc, err));
  }

  private Future<Void> respondWhole(RoutingContext rc, StreamMeta meta) {
    rc.response().putHeader("X-Stream-Id", meta.id());
    CompletionCollector collector = new CompletionCollector(meta);
    return Subscription.open(feeds, log, meta.id(), 0, readBatch, collector)
        .compose(subscription -> {
          rc.response().closeHandler(closed -> subscription.close());
          return collector.completion();
        })
        .compose(completion -> rc.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(completion.encode()));
  }
}
