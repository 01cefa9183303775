package dev.streamhub.limits;

import io.vertx.core.json.JsonObject;

/**
 * The limit keys a generation is counted under, chosen by the edge from its request and carried to
 * the worker in the generation request ({@code "quota": {"tokens", "slot"}}).
 *
 * @param tokenKey the key of its LLM-token budget ({@code limits_token_key}), or null: not counted
 * @param slotKey the key of its concurrent-stream slot ({@code limits_concurrent_streams}), or null
 * @param holder who acquired the slot ({@link Limiter#holder()}: the edge's Hazelcast member), or null
 */
public record Quota(String tokenKey, String slotKey, String holder) {

  public Quota(String tokenKey, String slotKey) {
    this(tokenKey, slotKey, null);
  }

  public static final Quota NONE = new Quota(null, null);
  /** Where the edge keeps a request's quota on its routing context. */
  public static final String KEY = "streamhub.quota";

  public boolean none() {
    return tokenKey == null && slotKey == null;
  }

  public JsonObject toJson() {
    return new JsonObject().put("tokens", tokenKey).put("slot", slotKey).put("holder", holder);
  }

  public static Quota fromJson(JsonObject json) {
    return json == null ? NONE : new Quota(json.getString("tokens"), json.getString("slot"), json.getString("holder"));
  }

  /** This quota with no slot (when none was held). */
  public Quota withoutSlot() {
    return new Quota(tokenKey, null, null);
  }

  /** This quota whose slot {@code holder} acquired. */
  public Quota withHolder(String holder) {
    return new Quota(tokenKey, slotKey, holder);
  }
}
