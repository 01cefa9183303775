package dev.streamhub.config;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Flat configuration keys ({@code http_port}) read from a JSON object, each overridable by the
 * environment variable {@code STREAMHUB_<KEY>} ({@code STREAMHUB_HTTP_PORT}). Typed getters take
 * the default and the valid range, and fail with a message naming the key and where it came from.
 */
public final class Settings {

  public static final String ENV_PREFIX = "STREAMHUB_";

  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Set<String> read = new HashSet<>();

  public Settings(JsonObject file, Map<String, String> env) {
    file.forEach(e -> {
      values.put(e.getKey(), e.getValue());
      sources.put(e.getKey(), "config key '" + e.getKey() + "'");
    });
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) {
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        values.put(key, value);
        sources.put(key, "environment variable " + name);
      }
    });
  }

  public static Settings of(JsonObject file) {
    return new Settings(file, Map.of());
  }

  public String string(String key, String dflt) {
    Object value = take(key);
    if (value == null) {
      return dflt;
    }
    String s = value.toString().trim();
    if (s.isEmpty()) {
      throw bad(key, value, "a non-empty string");
    }
    return s;
  }

  public int integer(String key, int dflt, int min, int max) {
    return (int) longValue(key, dflt, min, max);
  }

  public long longValue(String key, long dflt, long min, long max) {
    Object value = take(key);
    if (value == null) {
      return dflt;
    }
    long parsed;
    try {
      parsed = value instanceof Number ? ((Number) value).longValue() : Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw bad(key, value, "an integer from " + min + " to " + max);
    }
    if (parsed < min || parsed > max || (value instanceof Double && ((Double) value) % 1 != 0)) {
      throw bad(key, value, "an integer from " + min + " to " + max);
    }
    return parsed;
  }

  public boolean bool(String key, boolean dflt) {
    Object value = take(key);
    if (value == null) {
      return dflt;
    }
    String s = value.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    throw bad(key, value, "true or false");
  }

  public String oneOf(String key, String dflt, Set<String> allowed) {
    String s = string(key, dflt);
    if (!allowed.contains(s)) {
      throw bad(key, s, "one of " + allowed);
    }
    return s;
  }

  /**
   * A structured value (a JSON array or object in the file; its JSON text in the environment), or
   * null when absent; the caller validates its shape.
   */
  public Object json(String key) {
    Object value = take(key);
    if (value instanceof String) {
      try {
        return io.vertx.core.json.Json.decodeValue((String) value);
      } catch (io.vertx.core.json.DecodeException e) {
        throw bad(key, value, "JSON");
      }
    }
    return value;
  }

  /** {@code key}'s value from the file or environment, its default from the {@link ConfigKey} table. */
  public String string(ConfigKey key) {
    return string(key.key(), (String) key.defaultValue());
  }

  /** An {@code INT} key within the table's range. */
  public int integer(ConfigKey key) {
    return (int) longValue(key);
  }

  /** A {@code LONG} (or {@code INT}) key within the table's range. */
  public long longValue(ConfigKey key) {
    return longValue(key.key(), ((Number) key.defaultValue()).longValue(), key.min(), key.max());
  }

  public boolean bool(ConfigKey key) {
    return bool(key.key(), (Boolean) key.defaultValue());
  }

  /** A {@code ONE_OF} key; {@code dflt} when absent (a default that depends on other keys). */
  public String oneOf(ConfigKey key, String dflt) {
    return oneOf(key.key(), dflt, new java.util.LinkedHashSet<>(key.allowed()));
  }

  public Object json(ConfigKey key) {
    return json(key.key());
  }

  /** Keys that were given but never read: typos, or keys of a newer version. */
  public Set<String> unknownKeys() {
    Set<String> unknown = new HashSet<>(values.keySet());
    unknown.removeAll(read);
    return unknown;
  }

  public String sourceOf(String key) {
    return sources.getOrDefault(key, "config key '" + key + "'");
  }

  private Object take(String key) {
    read.add(key);
    return values.get(key);
  }

  ConfigException bad(String key, Object value, String expected) {
    return new ConfigException("invalid " + sourceOf(key) + " (" + key + "): expected " + expected + ", got '" + value + "'");
  }
}
