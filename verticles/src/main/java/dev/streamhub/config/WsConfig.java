package dev.streamhub.config;

/**
 * WebSocket ({@code /v1/ws}).
 *
 * @param maxMessageBytes {@code ws_max_message_bytes}: a larger client message (or frame) closes the socket with 1009
 * @param pingIntervalMs {@code ws_ping_interval_ms}: how often the hub pings an open socket
 * @param idleTimeoutMs {@code ws_idle_timeout_ms}: a socket from which nothing (not even a pong) arrived for this long is closed with 1001
 * @param compression {@code ws_compression}: negotiate permessage-deflate (RFC 7692) when the client offers it
 * @param directWrites {@code ws_direct_writes}: give each socket Vert.x's direct write queue
 *     ({@code internal.DirectWrites}: 4.7 KB less heap per socket; falls back by itself)
 * @param sharedDeflater {@code ws_shared_deflater}: compress with one deflater per event loop
 *     instead of a zlib stream per socket ({@code internal.DeflaterSwap})
 */
public record WsConfig(int maxMessageBytes, long pingIntervalMs, long idleTimeoutMs, boolean compression, boolean directWrites,
    boolean sharedDeflater) {

  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
  public static final long DEFAULT_PING_INTERVAL_MS = 20_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  public static final boolean DEFAULT_COMPRESSION = true;
  public static final boolean DEFAULT_DIRECT_WRITES = true;
  public static final boolean DEFAULT_SHARED_DEFLATER = true;

  /** With the Vert.x internals tricks at their defaults (on). */
  public WsConfig(int maxMessageBytes, long pingIntervalMs, long idleTimeoutMs, boolean compression) {
    this(maxMessageBytes, pingIntervalMs, idleTimeoutMs, compression, DEFAULT_DIRECT_WRITES, DEFAULT_SHARED_DEFLATER);
  }

  static WsConfig from(Settings s) {
    return new WsConfig(
        s.integer(ConfigKey.WS_MAX_MESSAGE_BYTES),
        s.longValue(ConfigKey.WS_PING_INTERVAL_MS),
        s.longValue(ConfigKey.WS_IDLE_TIMEOUT_MS),
        s.bool(ConfigKey.WS_COMPRESSION),
        s.bool(ConfigKey.WS_DIRECT_WRITES),
        s.bool(ConfigKey.WS_SHARED_DEFLATER));
  }
}
