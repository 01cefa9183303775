package dev.streamhub.internal;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * Event-loop identity for code that keeps per-thread state next to its callers (the Redis store's
 * batcher lanes: one connection per event loop, its replies parsed on the loop that sent them).
 *
 * <p>Why internal API: the public {@link Context} does not say which event loop it runs on, nor can
 * the public API make a context on a given loop, or run a handler on the calling thread as another
 * context of that loop. {@code io.vertx.core.internal.ContextInternal} and {@code VertxInternal} do
 * ({@code nettyEventLoop()}, {@code contextBuilder()}, {@code emit()}: what vertx-redis-client itself
 * uses for its pooled connections). Every use goes through here, so a Vert.x upgrade that moves them
 * changes one file.
 */
public final class EventLoopContexts {

  private EventLoopContexts() {}

  /** The event loop {@code context} runs on, or null for a context that has none of its own (worker, virtual thread). */
  public static EventLoop loopOf(Context context) {
    return context != null && context.isEventLoopContext() ? ((ContextInternal) context).nettyEventLoop() : null;
  }

  /** A new event-loop context of {@code vertx} on {@code loop}. */
  public static Context on(Vertx vertx, EventLoop loop) {
    return ((VertxInternal) vertx).contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP).withEventLoop(loop).build();
  }

  /**
   * Runs {@code handler} as {@code context}: at once on this thread when it is the context's event
   * loop thread (no task, no wake-up), else as a task on the context.
   */
  public static void runAs(Context context, Runnable handler) {
    ContextInternal internal = (ContextInternal) context;
    if (internal.isEventLoopContext() && internal.nettyEventLoop().inEventLoop()) {
      internal.emit(v -> handler.run());
    } else {
      internal.runOnContext(v -> handler.run());
    }
  }
}
