package dev.streamhub.stream;

import java.security.SecureRandom;
import java.util.Base64;

/** Stream ids: {@code st_} followed by 128 random bits, base64url without padding (22 characters). */
public final class StreamIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final String PREFIX = "st_";
  /** {@code st_} and 22 characters of base64url. */
  private static final int LENGTH = PREFIX.length() + 22;

  private StreamIds() {}

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return PREFIX + ENCODER.encodeToString(bytes);
  }

  /**
   * Whether {@code id} has the shape of a stream id ({@code st_[A-Za-z0-9_-]{22}}); anything else
   * cannot name a stream. A loop rather than a regex: every publish and read checks one (relay mode,
   * one POST per token).
   */
  public static boolean looksValid(String id) {
    if (id == null || id.length() != LENGTH || !id.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
