package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /admin/drain} and {@code POST /admin/undrain} on one in-process node: the drain is
 * SIGTERM's without the exit, and the node comes back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminDrainTest {

  static final String TOKEN = "admin-secret-0123456789";

  private Vertx vertx;

  @AfterEach
  void close() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private HubClient start(JsonObject overrides) {
    vertx = Vertx.vertx();
    Hub hub = TestHubs.start(vertx, overrides.copy().put("demo_tokens_per_second", 50).put("demo_answer_tokens", 100)).await();
    return new HubClient(vertx, hub.port());
  }

  private static HttpResponse<Buffer> admin(HubClient client, String path, String token) {
    return adminAsync(client, path, token).await();
  }

  private static Future<HttpResponse<Buffer>> adminAsync(HubClient client, String path, String token) {
    var request = client.web().post(client.port(), "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send();
  }

  private static String code(HttpResponse<Buffer> resp) {
    return resp.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  @Nested
  class WithoutAToken {
    @Test
    void theEndpointsDoNotExist() {
      HubClient client = start(new JsonObject());
      HttpResponse<Buffer> drain = admin(client, "/admin/drain", TOKEN);
      assertEquals(404, drain.statusCode());
      assertEquals("not_found", code(drain));
      assertEquals(404, admin(client, "/admin/undrain", TOKEN).statusCode());
      assertEquals(200, client.get("/health/ready").await().statusCode());
    }
  }

  @Nested
  class WithAToken {
    @Test
    void aMissingOrWrongTokenIsUnauthorizedAndChangesNothing() {
      HubClient client = start(new JsonObject().put("admin_token", TOKEN));
      HttpResponse<Buffer> missing = admin(client, "/admin/drain", null);
      assertEquals(401, missing.statusCode());
      assertEquals("unauthorized", code(missing));
      HttpResponse<Buffer> wrong = admin(client, "/admin/drain", TOKEN + "x");
      assertEquals(401, wrong.statusCode());
      assertEquals("unauthorized", code(wrong));
      assertEquals(200, client.get("/health/ready").await().statusCode());
    }

    @Test
    void drainLetsReadersGoRefusesNewWorkFinishesTheGenerationAndUndrainServesAgain() {
      HubClient client = start(new JsonObject().put("admin_token", TOKEN));
      String stream = client.createStream(TestHubs.chat("admin drain", 3L)).await();
      HubClient.LiveSse reader = client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap()).await();
      reader.until(frames -> SseFrame.events(frames).size() >= 5).await();

      HttpResponse<Buffer> drained = admin(client, "/admin/drain", TOKEN);
      assertEquals(202, drained.statusCode(), drained.bodyAsString());
      assertEquals("draining", drained.bodyAsJsonObject().getString("state"));

      // the reader is told to reconnect, at the offset after its last event
      List<SseFrame> frames = reader.ended().await();
      SseFrame last = frames.get(frames.size() - 1);
      assertEquals("reconnect", last.event(), last.raw());
      assertEquals(SseFrame.events(frames).size() - 1, new JsonObject(last.data()).getLong("next"));
      // not ready, new work refused, a second drain is idempotent
      HttpResponse<Buffer> ready = client.get("/health/ready").await();
      assertEquals(503, ready.statusCode());
      assertEquals(200, client.get("/health/live").await().statusCode());
      HttpResponse<Buffer> refused = client.postJson("/v1/streams", TestHubs.chat("refused", 4L)).await();
      assertEquals(503, refused.statusCode());
      assertEquals("draining", code(refused));
      // the generation in flight runs to its end (the node stays): the state becomes drained
      TestHubs.eventually(vertx, 50, 200, () -> adminAsync(client, "/admin/drain", TOKEN)
          .map(again -> again.statusCode() == 200 && again.bodyAsJsonObject().getString("state").equals("drained"))).await();

      HttpResponse<Buffer> undrained = admin(client, "/admin/undrain", TOKEN);
      assertEquals(200, undrained.statusCode());
      assertEquals("up", undrained.bodyAsJsonObject().getString("state"));
      assertEquals(200, client.get("/health/ready").await().statusCode());
      // the whole first stream ended with done, and the worker takes generations again
      assertEquals(offsets(102), offsets(client, stream));
      String next = client.createStream(TestHubs.chat("served again", 5L)).await();
      assertEquals(offsets(102), offsets(client, next));
      // the node card is republished every NodeCardVerticle.INTERVAL_MS (2 s): "up" within a few of them
      TestHubs.eventually(vertx, 100, 60, () -> client.get("/v1/cluster")
          .map(cluster -> cluster.bodyAsJsonObject().getJsonArray("members").encode().contains("\"state\":\"up\""))).await();
    }
  }

  private static List<Long> offsets(long count) {
    return LongStream.range(0, count).boxed().collect(Collectors.toList());
  }

  private static List<Long> offsets(HubClient client, String stream) {
    // bounded: a finished stream's replay must end at once
    List<SseFrame> frames = client.readSse("/v1/streams/" + stream + "/events").timeout(15, TimeUnit.SECONDS)
        .recover(err -> Future.failedFuture(new AssertionError("reading " + stream + " from 0 did not end: " + err, err))).await().frames();
    assertEquals("done", SseFrame.events(frames).get(SseFrame.events(frames).size() - 1).event());
    return SseFrame.offsets(frames);
  }
}
