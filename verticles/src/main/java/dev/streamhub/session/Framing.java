package dev.streamhub.session;

import dev.streamhub.stream.HubException;

/**
 * What a transport tells its {@link Session} about its wire: how a heartbeat, a let-go and the end
 * of a connection look there. Everything else (stream id, offset, ownership, live registration,
 * drain, the live path's safety net, counting, clean-up) is the session's. Called on the session's
 * event loop.
 */
public interface Framing {

  /**
   * Every heartbeat interval while the session is open ({@code sse_heartbeat_ms}, or
   * {@code ws_ping_interval_ms} for a WebSocket): an SSE comment, a WebSocket ping and its idle
   * check; nothing for a long-poll or a whole completion. The session then runs the live path's
   * safety net of its readers itself.
   */
  default void heartbeat() {}

  /**
   * The node drains ({@code draining}): tell the client and end the connection. A resumable
   * transport is told at once (SSE {@code reconnect} event, WebSocket close 1012, a held long-poll
   * answered with what it has); the others at the drain deadline (OpenAI forms: a {@code draining}
   * error). The session closes itself right after.
   */
  void letGo();

  /**
   * A reader of this session failed with {@code why}, a code the client should take elsewhere at
   * once ({@link dev.streamhub.stream.ErrorCode.Terminal#RESUME_ELSEWHERE}, e.g.
   * {@code store_unavailable} on the minority side of a network partition): a resumable transport
   * tells its client to reconnect now (SSE {@code reconnect} event naming the next offset and the
   * code, WebSocket close 1012 with the code as reason) and returns true; the session then closes.
   * The default returns false and the reader's sink gets the error as usual (long-poll: the HTTP
   * status; OpenAI forms and whole completions: the error).
   */
  default boolean moveOn(HubException why) {
    return false;
  }

  /**
   * The session closed (the client went away, the response ended, or {@link #letGo}): release what
   * the transport holds (a pending answer, a timer). Called once.
   */
  default void closed() {}
}
