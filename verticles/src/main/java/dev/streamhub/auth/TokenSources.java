package dev.streamhub.auth;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where a request's token is found. Always {@code Authorization: Bearer <token>} (RFC 6750 2.1).
 * Because a browser's {@code EventSource} and {@code WebSocket} cannot send headers, GET streaming
 * endpoints ({@link Routes#streaming}) also take the token from the {@code auth_cookie} cookie or the
 * {@code access_token} query parameter (RFC 6750 2.3), and {@code /v1/ws} from the
 * {@code Sec-WebSocket-Protocol} entry {@code bearer.<token>}. A token in the query string of any
 * other request is refused ({@code bad_request}): such URLs end up in logs and histories.
 */
public final class TokenSources {

  public static final String QUERY_PARAM = "access_token";
  /** The {@code Sec-WebSocket-Protocol} entry prefix that carries a token; the hub answers with {@link #WS_PROTOCOL}. */
  public static final String WS_PROTOCOL_PREFIX = "bearer.";
  /** The subprotocol the hub selects; a browser client offers it next to {@code bearer.<token>}. */
  public static final String WS_PROTOCOL = "streamhub";

  private TokenSources() {}

  /** The request's token, or null when it carries none. */
  public static String find(HttpServerRequest request, String cookieName, boolean streamingGet) {
    String query = request.getParam(QUERY_PARAM);
    if (query != null && !(streamingGet && request.method() == HttpMethod.GET)) {
      throw new HubException(ErrorCode.BAD_REQUEST,
          "a token in the query string (access_token) is accepted on GET streaming endpoints only; send 'Authorization: Bearer'");
    }
    String authorization = request.getHeader("Authorization");
    if (authorization != null) {
      if (authorization.regionMatches(true, 0, "Bearer ", 0, 7) && authorization.length() > 7) {
        return authorization.substring(7).trim();
      }
      throw new HubException(ErrorCode.UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
    }
    if (!streamingGet) {
      return null;
    }
    if (query != null && !query.isBlank()) {
      return query;
    }
    Cookie cookie = request.getCookie(cookieName);
    if (cookie != null && !cookie.getValue().isBlank()) {
      return cookie.getValue();
    }
    String protocols = request.getHeader("Sec-WebSocket-Protocol");
    if (protocols != null) {
      for (String protocol : protocols.split(",")) {
        String p = protocol.trim();
        if (p.startsWith(WS_PROTOCOL_PREFIX) && p.length() > WS_PROTOCOL_PREFIX.length()) {
          return p.substring(WS_PROTOCOL_PREFIX.length());
        }
      }
    }
    return null;
  }
}
