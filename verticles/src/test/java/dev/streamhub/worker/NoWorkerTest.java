package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each way a generation finds no worker has its own answer: a model no live worker serves is
 * {@code 404 model_not_found} (and not listed); a listed model with no worker taking requests, and
 * one whose worker does not accept in time, are {@code 503 no_worker_available} saying which.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NoWorkerTest {

  private Hub hub;
  private HubClient client;

  @BeforeEach
  void start(Vertx vertx) {
    hub = await(TestHubs.start(vertx, new JsonObject().put("worker_accept_timeout_ms", 300)));
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  private JsonObject refusal(String model, int status) {
    var resp = await(client.postJson("/v1/streams", TestHubs.chat("anyone?", 1L).put("model", model)));
    assertEquals(status, resp.statusCode(), resp.bodyAsString());
    return resp.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  void aModelNoLiveWorkerServesIsNotFound() {
    JsonObject error = refusal("ghost", 404);
    assertEquals("model_not_found", error.getString("code"));
    assertEquals("The model 'ghost' does not exist: no live worker serves it", error.getString("message"));
  }

  @Test
  void aListedModelWithoutAConsumerSaysNoWorkerServesItNow(Vertx vertx) {
    await(new ModelRegistry(vertx).add(ModelRegistry.WORKER, new JsonObject().put("id", "drained").put("object", "model")));

    JsonObject error = refusal("drained", 503);

    assertEquals("no_worker_available", error.getString("code"));
    assertEquals("no worker serves model 'drained' now (none takes requests: they left or are draining); try again later",
        error.getString("message"));
  }

  @Test
  void aWorkerThatDoesNotAcceptInTimeSaysHowLongItWaited(Vertx vertx) {
    await(new ModelRegistry(vertx).add(ModelRegistry.WORKER, new JsonObject().put("id", "mute").put("object", "model")));
    await(vertx.eventBus().consumer(Addresses.generate("mute"), message -> { }).completion());

    JsonObject error = refusal("mute", 503);

    assertEquals("no_worker_available", error.getString("code"));
    assertEquals("no worker accepted the generation for model 'mute' within 300 ms (worker_accept_timeout_ms); try again later",
        error.getString("message"));
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(20, TimeUnit.SECONDS).await();
  }
}
