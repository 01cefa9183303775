package dev.streamhub.internal;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/**
 * A fresh event-loop context, on the next of {@code vertx}'s event loops (round robin).
 *
 * <p>Why an internal API: the public {@link Vertx#getOrCreateContext()} returns the caller's own
 * context on a Vert.x thread (and a sticky one elsewhere), so code that wants its work spread over
 * several event loops without deploying verticles has no public way to get a second loop. Only
 * {@code io.vertx.core.internal.VertxInternal#createEventLoopContext()} makes one. The Redis store's
 * batcher lanes use it so that their connections' replies are parsed on different event loops.
 * Every use goes through here, so a Vert.x upgrade that moves it changes one file.
 */
public final class EventLoopContexts {

  private EventLoopContexts() {}

  /** A new event-loop context of {@code vertx}; its event loop is the next in round-robin order. */
  public static Context next(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }
}
