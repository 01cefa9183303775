package dev.streamhub.session;

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
   * The session closed (the client went away, the response ended, or {@link #letGo}): release what
   * the transport holds (a pending answer, a timer). Called once.
   */
  default void closed() {}
}
