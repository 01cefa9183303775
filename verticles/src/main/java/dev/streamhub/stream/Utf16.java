package dev.streamhub.stream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Unpaired UTF-16 surrogates: code units that are not a character and that a UTF-8 encoder cannot
 * write (Java's writes {@code ?} in their place). JSON text may spell them ({@code "\ud83d"} is
 * legal JSON, RFC 8259 section 8.2 leaves its meaning open), so every way text enters the hub
 * decides what to do with them: the hub never lets one reach its log, and never writes one as
 * {@code ?}.
 */
public final class Utf16 {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Utf16() {}

  /** The index of the first unpaired surrogate in {@code s}, or -1 when every surrogate is paired. */
  public static int loneSurrogate(CharSequence s) {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else {
        return i;
      }
    }
    return -1;
  }

  /**
   * Where the first unpaired surrogate of a JSON value is, as a message naming it
   * ({@code "<path> has an unpaired surrogate U+D83D at index 3"}), or null when there is none.
   * Object keys are checked too. {@code path} names the value ({@code "messages"}, {@code "events[0].data"}).
   */
  public static String describeLoneSurrogate(Object json, String path) {
    // the common case, nothing to name, builds no path strings (relay mode checks every published event)
    return hasLoneSurrogate(json) ? describe(json, path) : null;
  }

  /** Whether a JSON value has an unpaired surrogate anywhere, object keys included. */
  private static boolean hasLoneSurrogate(Object json) {
    if (json instanceof String s) {
      return loneSurrogate(s) >= 0;
    }
    if (json instanceof JsonObject o) {
      for (Map.Entry<String, Object> entry : o) {
        if (loneSurrogate(entry.getKey()) >= 0 || hasLoneSurrogate(entry.getValue())) {
          return true;
        }
      }
    } else if (json instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        if (hasLoneSurrogate(a.getValue(i))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String describe(Object json, String path) {
    if (json instanceof String s) {
      int at = loneSurrogate(s);
      return at < 0 ? null : path + " has an unpaired UTF-16 surrogate U+" + hex(s.charAt(at)) + " at index " + at
          + " (JSON text must be well-formed Unicode: write the pair, or the character itself)";
    }
    if (json instanceof JsonObject o) {
      for (Map.Entry<String, Object> entry : o) {
        String found = describe(entry.getKey(), path + " key '" + entry.getKey() + "'");
        if (found == null) {
          found = describe(entry.getValue(), path + "." + entry.getKey());
        }
        if (found != null) {
          return found;
        }
      }
    } else if (json instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String found = describe(a.getValue(i), path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * {@code s} with every unpaired surrogate replaced by U+FFFD REPLACEMENT CHARACTER, as WHATWG's
   * USVString conversion (and a browser's {@code TextEncoder}) does; {@code s} itself when it has none.
   */
  public static String replaceLoneSurrogates(String s) {
    int at = loneSurrogate(s);
    if (at < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int start = 0;
    while (at >= 0) {
      out.append(s, start, at).append('\uFFFD');
      start = at + 1;
      int next = loneSurrogate(s.subSequence(start, s.length()));
      at = next < 0 ? -1 : start + next;
    }
    return out.append(s, start, s.length()).toString();
  }

  /**
   * JSON text {@code json} with every unpaired surrogate written as its escape {@code \}{@code uXXXX}:
   * the same JSON value, now encodable as UTF-8 byte for byte. (Outside string literals JSON text is
   * ASCII, so a surrogate can only be inside one.) {@code json} itself when it has none.
   */
  public static String escapeLoneSurrogates(String json) {
    int at = loneSurrogate(json);
    if (at < 0) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length() + 8);
    int start = 0;
    while (at >= 0) {
      out.append(json, start, at).append("\\u").append(hex(json.charAt(at)));
      start = at + 1;
      int next = loneSurrogate(json.subSequence(start, json.length()));
      at = next < 0 ? -1 : start + next;
    }
    return out.append(json, start, json.length()).toString();
  }

  static String hex(char c) {
    return new String(new char[] {HEX[c >> 12], HEX[(c >> 8) & 0xF], HEX[(c >> 4) & 0xF], HEX[c & 0xF]});
  }
}
