package dev.streamhub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * OpenAI-compatible upstream model servers (vLLM, Ollama, llama.cpp, a hosted API) the hub forwards
 * generations to. The simplest setup is {@code upstream_base_url} (and {@code upstream_api_key}):
 * one upstream named {@code default} whose every model listed at {@code /v1/models} is served.
 * Several upstreams go in {@code upstreams}, a JSON list of
 * {@code {"name","base_url","api_key","timeout_ms","models":[...]}}: an upstream with {@code models}
 * serves exactly those; one without serves what it lists at {@code /v1/models}. A model claimed by
 * several upstreams goes to the first, explicit lists before listed models.
 *
 * @param upstreams {@code upstream_base_url} / {@code upstream_api_key} / {@code upstream_timeout_ms}
 *     as {@code default}, then {@code upstreams}; empty when no upstream is configured
 */
public record UpstreamConfig(List<Upstream> upstreams) {

  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  public UpstreamConfig {
    upstreams = List.copyOf(upstreams);
  }

  /**
   * One upstream.
   *
   * @param baseUrl where {@code /chat/completions} and {@code /models} live, e.g. {@code http://host:8000/v1}
   * @param apiKey sent as {@code Authorization: Bearer}; null for none. Never logged.
   * @param timeoutMs how long to wait for the first token before ending the stream with {@code upstream_timeout}
   * @param models the models served, or empty for every model the upstream lists
   */
  public record Upstream(String name, String baseUrl, String apiKey, long timeoutMs, List<String> models) {

    public Upstream {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(baseUrl, "baseUrl");
      models = List.copyOf(models);
      baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** Without the key, so that a config dump or a log line never shows it. */
    @Override
    public String toString() {
      return "Upstream[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
          + ", timeoutMs=" + timeoutMs + ", models=" + models + "]";
    }
  }

  static UpstreamConfig from(Settings s) {
    List<Upstream> upstreams = new ArrayList<>();
    long timeout = s.longValue(ConfigKey.UPSTREAM_TIMEOUT_MS);
    String baseUrl = s.string(ConfigKey.UPSTREAM_BASE_URL);
    String apiKey = s.string(ConfigKey.UPSTREAM_API_KEY);
    if (baseUrl != null) {
      upstreams.add(new Upstream("default", checkUrl(s, "upstream_base_url", baseUrl), apiKey, timeout, List.of()));
    } else if (apiKey != null) {
      throw new ConfigException(s.sourceOf("upstream_api_key") + " is set but upstream_base_url is not");
    }
    Object list = s.json(ConfigKey.UPSTREAMS);
    if (list != null) {
      if (!(list instanceof JsonArray)) {
        throw s.bad("upstreams", list, "a JSON array of {\"name\",\"base_url\",\"api_key\",\"timeout_ms\",\"models\"}");
      }
      JsonArray array = (JsonArray) list;
      for (int i = 0; i < array.size(); i++) {
        upstreams.add(entry(s, array.getValue(i), "upstreams[" + i + "]", timeout));
      }
    }
    Set<String> names = new HashSet<>();
    for (Upstream u : upstreams) {
      if (!names.add(u.name())) {
        throw new ConfigException("two upstreams are named '" + u.name() + "' (upstreams / upstream_base_url)");
      }
    }
    return new UpstreamConfig(upstreams);
  }

  private static Upstream entry(Settings s, Object value, String where, long defaultTimeout) {
    if (!(value instanceof JsonObject)) {
      throw new ConfigException(where + " must be an object {\"name\",\"base_url\",...}");
    }
    JsonObject json = (JsonObject) value;
    for (String field : json.fieldNames()) {
      if (!Set.of("name", "base_url", "api_key", "timeout_ms", "models").contains(field)) {
        throw new ConfigException(where + " has an unknown field '" + field + "'");
      }
    }
    Object name = json.getValue("name");
    Object url = json.getValue("base_url");
    Object key = json.getValue("api_key");
    Object timeout = json.getValue("timeout_ms");
    Object models = json.getValue("models");
    if (!(name instanceof String) || ((String) name).isBlank()) {
      throw new ConfigException(where + ".name must be a non-empty string");
    }
    if (!(url instanceof String)) {
      throw new ConfigException(where + ".base_url must be a URL such as http://host:8000/v1");
    }
    if (key != null && !(key instanceof String)) {
      throw new ConfigException(where + ".api_key must be a string");
    }
    if (timeout != null && (!(timeout instanceof Number) || ((Number) timeout).longValue() < 1)) {
      throw new ConfigException(where + ".timeout_ms must be a positive integer");
    }
    List<String> served = new ArrayList<>();
    if (models != null) {
      if (!(models instanceof JsonArray) || ((JsonArray) models).isEmpty()) {
        throw new ConfigException(where + ".models must be a non-empty array of model names (or absent: every listed model)");
      }
      for (Object model : (JsonArray) models) {
        if (!(model instanceof String) || ((String) model).isBlank()) {
          throw new ConfigException(where + ".models must hold non-empty strings");
        }
        served.add((String) model);
      }
    }
    return new Upstream((String) name, checkUrl(s, where + ".base_url", (String) url), (String) key,
        timeout == null ? defaultTimeout : ((Number) timeout).longValue(), served);
  }

  private static String checkUrl(Settings s, String where, String url) {
    try {
      URI uri = new URI(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return url;
      }
    } catch (java.net.URISyntaxException e) {
      // falls through
    }
    throw new ConfigException(where + " must be an http(s) URL such as http://host:8000/v1, got '" + url + "'");
  }
}
