package dev.streamhub.bench.load;

/**
 * Reads {@code ts} out of the hub's event JSON without a full JSON parse: the load generator
 * handles tens of thousands of events a second and must not become the bottleneck.
 */
public final class EventFields {

  private static final String TS = "\"ts\":";

  private EventFields() {}

  /**
   * The {@code ts} field of {@code {"stream",...,"ts":N}}, or -1 when absent. It is the last key
   * of the hub's event object; searching from the end cannot hit text inside a string value,
   * where every quote is escaped.
   */
  public static long ts(String json) {
    int at = json.lastIndexOf(TS);
    if (at < 0) {
      return -1;
    }
    return digits(json, at + TS.length());
  }

  /**
   * The first {@code "key":N} number in {@code json}, -1 when absent. Meant for the hub's event
   * object, whose keys come in a fixed order ({@code stream, offset, type, data, ts}): asking for
   * {@code offset} finds it before {@code data}, so text in the payload cannot match first.
   */
  public static long firstNumber(String json, String key) {
    String needle = "\"" + key + "\":";
    int at = json.indexOf(needle);
    if (at < 0) {
      return -1;
    }
    return digits(json, at + needle.length());
  }

  /** The first {@code "key":"value"} string in {@code json} (no escapes in it), null when absent. */
  public static String firstString(String json, String key) {
    String needle = "\"" + key + "\":\"";
    int at = json.indexOf(needle);
    if (at < 0) {
      return null;
    }
    int start = at + needle.length();
    int end = json.indexOf('"', start);
    return end < 0 ? null : json.substring(start, end);
  }

  private static long digits(String json, int i) {
    while (i < json.length() && json.charAt(i) == ' ') {
      i++;
    }
    long value = 0;
    int digits = 0;
    for (; i < json.length(); i++, digits++) {
      char c = json.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return digits == 0 ? -1 : value;
  }

  /** An SSE {@code id:} as an offset, -1 when missing or not a number. */
  public static long offset(String id) {
    if (id == null || id.isEmpty()) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
