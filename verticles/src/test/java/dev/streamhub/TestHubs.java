package dev.streamhub;

import dev.streamhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/** Starts in-process hubs for tests: loopback, a free port, one HTTP instance, a fast demo model. */
public final class TestHubs {

  private TestHubs() {}

  /** Test defaults (127.0.0.1, port 0, 1 instance, instant first token, 2000 tokens/s), then {@code overrides}. */
  public static HubConfig config(JsonObject overrides) {
    JsonObject json = new JsonObject()
        .put("http_host", "127.0.0.1")
        .put("http_port", 0)
        .put("http_instances", 1)
        .put("demo_ttft_ms", 0)
        .put("demo_tokens_per_second", 2000)
        .put("sse_heartbeat_ms", 3_600_000);
    return HubConfig.of(json.mergeIn(overrides));
  }

  public static Future<Hub> start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  public static Future<Hub> start(Vertx vertx, JsonObject overrides) {
    return Hub.start(vertx, config(overrides));
  }

  /** A chat request body for the demo model with one user message. */
  public static JsonObject chat(String question, Long seed) {
    JsonObject body = new JsonObject()
        .put("model", "demo")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", question)));
    if (seed != null) {
      body.put("seed", seed);
    }
    return body;
  }

  /**
   * Polls {@code check} every {@code intervalMs} until it yields true, failing after {@code attempts}
   * tries: the bounded wait tests use instead of a fixed pause.
   */
  public static Future<Void> eventually(Vertx vertx, long intervalMs, int attempts, Supplier<Future<Boolean>> check) {
    Promise<Void> done = Promise.promise();
    poll(vertx, intervalMs, attempts, check, done);
    return done.future();
  }

  private static void poll(Vertx vertx, long intervalMs, int left, Supplier<Future<Boolean>> check, Promise<Void> done) {
    check.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        done.complete();
      } else if (left <= 1) {
        done.fail(ar.failed() ? ar.cause() : new AssertionError("condition not met after " + intervalMs + " ms x attempts"));
      } else {
        vertx.setTimer(intervalMs, id -> poll(vertx, intervalMs, left - 1, check, done));
      }
    });
  }

  /**
   * Runs {@code check} {@code times} times, {@code intervalMs} apart on Vert.x timers, failing at the
   * first failed check: "this stays true for a while".
   */
  public static Future<Void> consistently(Vertx vertx, long intervalMs, int times, Supplier<Future<?>> check) {
    Future<?> chain = check.get();
    for (int i = 1; i < times; i++) {
      chain = chain.compose(x -> delay(vertx, intervalMs)).compose(x -> check.get());
    }
    return chain.mapEmpty();
  }

  /** Completes after {@code ms} on a Vert.x timer. */
  public static Future<Void> delay(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  /**
   * Runs {@code chain} on a new Vert.x context and completes with its outcome. A chain started on a
   * test thread runs each {@code compose} wherever the previous future completed, so a response's
   * {@code body()} can be asked for after a short response (a HEAD, an error) has already ended, and
   * in Vert.x 5.0.8 that body then never completes (eclipse-vertx/vert.x#6038, fixed after 5.0.8).
   * On one context the body handler is set in the same turn that delivers the response.
   */
  public static <T> Future<T> onContext(Vertx vertx, Supplier<Future<T>> chain) {
    Promise<T> outcome = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> chain.get().onComplete(outcome));
    return outcome.future();
  }
}
