package dev.streamhub.bench.load;

import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The bearer token every request and reader of the load generator sends ({@code --auth on}), or
 * none. Process-wide: {@code BenchMain} sets it before a variant's {@link ClientFleet} starts and
 * clears it after the fleet closed (one fleet runs at a time). SSE and long-poll send it as
 * {@code Authorization: Bearer}, the WebSocket upgrade too (the hub's security section, README).
 */
public final class Credentials {

  private static volatile String authorization;

  private Credentials() {}

  /** @param jwt a compact JWT, or null for no token */
  public static void use(String jwt) {
    authorization = jwt == null ? null : "Bearer " + jwt;
  }

  /** Adds the {@code Authorization} header when a token is set; returns {@code options}. */
  public static RequestOptions apply(RequestOptions options) {
    String a = authorization;
    return a == null ? options : options.putHeader("Authorization", a);
  }

  /** As {@link #apply(RequestOptions)}, for a WebSocket upgrade. */
  public static WebSocketConnectOptions apply(WebSocketConnectOptions options) {
    String a = authorization;
    return a == null ? options : options.addHeader("Authorization", a);
  }
}
