package dev.streamhub.stream;

/**
 * JSON string literals written by hand, byte for byte as Vert.x's Jackson encoder writes them:
 * {@code "} and {@code \} escaped with a backslash, the control characters below U+0020 as
 * {@code \b \t \n \f \r} or {@code \}{@code u00XX} (upper-case hex), everything else (non-ASCII, {@code /},
 * U+007F) as is. Used for the few fixed shapes written once per token, where building a
 * {@code JsonObject} and a Jackson generator cost more than the event itself.
 *
 * <p>One difference: an unpaired UTF-16 surrogate (which Jackson writes as is, and a UTF-8 encoder
 * then as {@code ?}) is written as its escape {@code \}{@code uD83D}, so the text stays the same JSON
 * value and encodes to UTF-8 byte for byte ({@link Utf16}).
 */
final class JsonText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonText() {}

  /** Appends {@code s} as a quoted JSON string. */
  static StringBuilder quote(StringBuilder out, String s) {
    out.append('"');
    int start = 0;
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        out.append(s, start, i).append("\\u").append(Utf16.hex(c));
        start = i + 1;
        continue;
      }
      out.append(s, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, start, length);
    return out.append('"');
  }
}
