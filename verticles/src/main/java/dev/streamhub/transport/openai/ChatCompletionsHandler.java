package dev.streamhub.transport.openai;

import dev.streamhub.session.Owners;
import dev.streamhub.session.Sessions;
import dev.streamhub.session.Transport;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.transport.GenerationStart;
import dev.streamhub.transport.WholeAnswer;
import dev.streamhub.transport.sse.SseStreams;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/chat/completions}: OpenAI's endpoint, so OpenAI SDKs work with only a base URL
 * change. {@code X-Stream-Id} names the stream, so the same answer can be read again or resumed
 * at {@code /v1/streams/{id}/events} (with {@code ?format=openai} for the same chunks).
 */
public final class ChatCompletionsHandler {

  private final Generations generations;
  private final SseStreams sse;
  private final Sessions sessions;

  /** @param sessions the edge event loop's sessions; a {@code stream:false} answer has their {@code completion_timeout_ms} */
  public ChatCompletionsHandler(Generations generations, SseStreams sse, Sessions sessions) {
    this.generations = generations;
    this.sse = sse;
    this.sessions = sessions;
  }

  public void mount(Router router) {
    router.post("/v1/chat/completions").handler(this::create);
  }

  /**
   * The connection is admitted as a session ({@link Sessions#admit}: connection limits) before the
   * generation starts, so a refused request (429 {@code rate_limited}) starts nothing.
   */
  private void create(RoutingContext rc) {
    Future.succeededFuture(rc.body().buffer())
        .map(GenerateRequest::parseObject)
        .compose(json -> {
          GenerateRequest request = GenerateRequest.fromClient(json);
          long grace = sessions.disconnects().graceOf(json);
          return sessions.admit(request.streaming() ? Transport.OPENAI_SSE : Transport.COMPLETION, rc)
              .compose(admitted -> serve(rc, Owners.own(rc, request), grace));
        })
        .onFailure(rc::fail);
  }

  /**
   * Starts the admitted generation (in its conversation when it names one; entered for cancel on
   * disconnect when {@code graceMs} asks for it) and answers it, streamed or whole.
   */
  private Future<?> serve(RoutingContext rc, GenerateRequest owned, long graceMs) {
    return GenerationStart.start(rc.vertx(), generations, sessions.disconnects(), owned, graceMs)
        .compose(started -> {
          StreamMeta meta = started.meta();
          if (started.conversation() != null) {
            rc.response().putHeader("X-Conversation-Id", started.conversation());
          }
          return owned.streaming()
              ? sse.serve(rc, meta.id(), 0, new OpenAiChunks(meta, owned.includeUsage()))
              : respondWhole(rc, meta);
        });
  }

  /**
   * {@code stream:false}: the whole answer as one {@code chat.completion}, through a session of
   * transport {@code completion} (so the live path's safety net and the drain cover it too), which
   * answers 504 {@code completion_timeout} if the stream did not end within {@code completion_timeout_ms}.
   */
  private Future<Void> respondWhole(RoutingContext rc, StreamMeta meta) {
    rc.response().putHeader("X-Stream-Id", meta.id());
    return WholeAnswer.serve(sessions, rc, meta, new CompletionCollector(meta));
  }

}
