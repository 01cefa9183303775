package dev.streamhub.stream;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Stream ids: {@code st_} followed by 128 random bits, base64url without padding (22 characters). */
public final class StreamIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Pattern SHAPE = Pattern.compile("st_[A-Za-z0-9_-]{22}");

  private StreamIds() {}

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "st_" + ENCODER.encodeToString(bytes);
  }

  /** Whether {@code id} has the shape of a stream id; anything else cannot name a stream. */
  public static boolean looksValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }
}
