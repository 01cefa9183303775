package dev.streamhub.config;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP edge: where it listens and how big a request body may be.
 *
 * @param host {@code http_host}: interface to bind
 * @param port {@code http_port}: TCP port; 0 picks a free one (tests)
 * @param instances {@code http_instances}: event loops serving HTTP, one server verticle each
 * @param maxBodyBytes {@code http_max_body_bytes}: larger request bodies get 413 {@code payload_too_large}
 * @param writeQueueBytes {@code http_write_queue_bytes}: bytes queued to one slow client (SSE response,
 *     WebSocket) before the hub stops pushing to it and waits for it to drain; it then catches up from the log
 * @param sendBufferBytes {@code http_send_buffer_bytes}: the kernel send buffer (SO_SNDBUF) of each client
 *     connection; 0 keeps the operating system's default, which grows on its own (Linux: up to
 *     {@code net.ipv4.tcp_wmem}). Setting it bounds the bytes a slow client holds in the kernel too
 * @param completionTimeoutMs {@code completion_timeout_ms}: how long a {@code stream:false} chat
 *     completion waits for its stream to end before it answers 504 {@code completion_timeout}
 * @param transports {@code transports}: the native reading transports served, a non-empty subset of
 *     {@link #TRANSPORTS} ({@code ws}: {@code /v1/ws}; {@code sse}: {@code GET /v1/streams/{id}/events};
 *     {@code poll}: {@code GET /v1/streams/{id}/poll}); the others answer 404 {@code transport_disabled}
 */
public record HttpConfig(String host, int port, int instances, long maxBodyBytes, int writeQueueBytes, int sendBufferBytes,
    long completionTimeoutMs, Set<String> transports) {

  /** Every native reading transport, in the JavaScript client's fallback order. */
  public static final List<String> TRANSPORTS = List.of("ws", "sse", "poll");

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_INSTANCES = Runtime.getRuntime().availableProcessors();
  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final int DEFAULT_WRITE_QUEUE_BYTES = 64 * 1024;
  public static final int DEFAULT_SEND_BUFFER_BYTES = 0;
  public static final long DEFAULT_COMPLETION_TIMEOUT_MS = 600_000;
  public static final String DEFAULT_TRANSPORTS = String.join(",", TRANSPORTS);

  public HttpConfig {
    transports = Set.copyOf(transports);
  }

  /** Whether {@code transport} (one of {@link #TRANSPORTS}) is served. */
  public boolean serves(String transport) {
    return transports.contains(transport);
  }

  static HttpConfig from(Settings s) {
    return new HttpConfig(
        s.string(ConfigKey.HTTP_HOST),
        s.integer(ConfigKey.HTTP_PORT),
        s.integer(ConfigKey.HTTP_INSTANCES),
        s.longValue(ConfigKey.HTTP_MAX_BODY_BYTES),
        s.integer(ConfigKey.HTTP_WRITE_QUEUE_BYTES),
        s.integer(ConfigKey.HTTP_SEND_BUFFER_BYTES),
        s.longValue(ConfigKey.COMPLETION_TIMEOUT_MS),
        transports(s));
  }

  private static Set<String> transports(Settings s) {
    String value = s.string(ConfigKey.TRANSPORTS);
    Set<String> names = new LinkedHashSet<>();
    for (String name : Arrays.asList(value.split(","))) {
      String trimmed = name.trim();
      if (!TRANSPORTS.contains(trimmed)) {
        throw s.bad(ConfigKey.TRANSPORTS.key(), value, "a comma-separated list of " + TRANSPORTS);
      }
      names.add(trimmed);
    }
    return names;
  }
}
