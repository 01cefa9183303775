package dev.streamhub.worker;

import dev.streamhub.stream.Utf16;

/**
 * Rejoins a character an upstream split across two deltas. OpenAI-compatible servers send
 * {@code delta.content} as JSON strings, which may end in the first half of a surrogate pair
 * ({@code "A\ud83d"}, then {@code "\ude00B"}): JavaScript clients rejoin it, but written alone
 * each half would reach a UTF-8 encoder as an unpaired surrogate. A delta's trailing high
 * surrogate is held back and put in front of the next delta. A surrogate that still has no partner
 * (a low one with no high before it, a high one followed by anything else, or one left at the end)
 * is not a character: it becomes U+FFFD REPLACEMENT CHARACTER, as WHATWG's USVString conversion
 * does. One instance per generation, on its event loop.
 */
final class SurrogateCarry {

  private String held = "";

  /** The text to emit for the next delta {@code text}: possibly "", when all of it is held back. */
  String next(String text) {
    String joined = held.isEmpty() ? text : held + text;
    int last = joined.length() - 1;
    if (last >= 0 && Character.isHighSurrogate(joined.charAt(last))) {
      held = joined.substring(last);
      joined = joined.substring(0, last);
    } else {
      held = "";
    }
    return Utf16.replaceLoneSurrogates(joined);
  }

  /** What is still held at the end of the stream ("" or U+FFFD). */
  String flush() {
    String rest = held.isEmpty() ? "" : "\uFFFD";
    held = "";
    return rest;
  }
}
