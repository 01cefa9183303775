package dev.streamhub.stream;

import java.util.Locale;

/**
 * What a token lets its holder do, from its {@code scope} claim (space-separated, RFC 8693 4.2) or
 * {@code scp} (a string or an array, as some identity providers issue it).
 *
 * <ul>
 *   <li>{@code read}: read streams (SSE, long-poll, WebSocket subscribe), list models</li>
 *   <li>{@code create}: start generations ({@code POST /v1/streams}, {@code /v1/chat/completions}, WebSocket create), cancel them</li>
 *   <li>{@code publish}: act as a worker: create and fill external streams, the TCP event-bus bridge</li>
 *   <li>{@code admin}: cluster views ({@code /v1/cluster}, {@code /admin/*}), and every stream whoever owns it</li>
 * </ul>
 */
public enum Scope {
  READ, CREATE, PUBLISH, ADMIN;

  /** The claim word, e.g. {@code read}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope of a claim word, or null for words the hub does not use. */
  public static Scope of(String word) {
    for (Scope scope : values()) {
      if (scope.word().equals(word)) {
        return scope;
      }
    }
    return null;
  }
}
