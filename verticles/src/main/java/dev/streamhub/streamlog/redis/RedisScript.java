package dev.streamhub.streamlog.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run with {@code EVALSHA}: its source and the SHA-1 Redis knows it by. The SHA is
 * computed here, so nothing needs loading at start; after a Redis restart empties the script cache
 * the {@link CommandBatcher} answers {@code NOSCRIPT} by loading every script and retrying once.
 */
record RedisScript(String name, String source, String sha) {

  static RedisScript of(String name, String source) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      return new RedisScript(name, source, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
