package dev.streamhub.limits;

import static dev.streamhub.limits.LimitsTest.await;
import static dev.streamhub.limits.LimitsTest.expectRateLimited;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.auth.Bystander;
import dev.streamhub.cluster.Addresses;
import dev.streamhub.ops.metrics.HubMetrics;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;

/**
 * Every endpoint that starts a generation and reads it on the same connection admits the
 * connection (its connection slots) before the generation starts: a request refused with 429
 * {@code rate_limited} leaves no stream in the log, no worker asked, and the limiter's counters as
 * they were. One case per endpoint and mode; a bystander stream completes intact alongside.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdmissionBeforeGenerationTest {

  private static final String IP = "127.0.0.1";

  private Vertx vertx;
  private Hub hub;
  private HubClient client;
  private Bystander bystander;
  private HubClient.LiveSse holder;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    hub = await(TestHubs.start(vertx, new JsonObject().put("demo_answer_tokens", 100).put("demo_tokens_per_second", 1000)
        .put("limits_connections_per_ip", 1).put("limits_concurrent_streams", 5)));
    client = new HubClient(vertx, hub.port());
    bystander = Bystander.start(client, null);
  }

  @AfterEach
  void stop() {
    try {
      if (holder != null) {
        await(holder.disconnect());
        Limiter limiter = NodeLimits.of(hub.vertx()).limiter();
        await(TestHubs.eventually(vertx, 20, 250, () -> limiter.held("conn|ip:" + IP).map(held -> held == 0)));
      }
      bystander.assertIntact();
    } finally {
      await(hub.stop());
      await(vertx.close());
    }
  }

  static List<Arguments> endpoints() {
    JsonObject chat = TestHubs.chat("never generated", 1L);
    JsonObject response = new JsonObject().put("model", "demo").put("input", "never generated");
    return List.of(
        Arguments.of("/v1/chat/completions", chat.copy().put("stream", true)),
        Arguments.of("/v1/chat/completions", chat.copy().put("stream", false)),
        Arguments.of("/v1/responses", response.copy().put("stream", true)),
        Arguments.of("/v1/responses", response.copy()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("endpoints")
  void aRequestRefusedForItsConnectionStartsNothing(String path, JsonObject body) {
    Limiter limiter = NodeLimits.of(hub.vertx()).limiter();
    // the one connection 127.0.0.1 may hold: a reader of an external stream
    String external = await(client.createExternalStream());
    holder = await(client.openSse("/v1/streams/" + external + "/events", MultiMap.caseInsensitiveMultiMap()));
    assertEquals(200, holder.status());
    await(TestHubs.eventually(vertx, 20, 250, () -> limiter.held("conn|ip:" + IP).map(held -> held == 1)));
    long created = storeCreates();
    // the bystander's generation has ended (its worker gave its slot back)
    await(TestHubs.eventually(vertx, 20, 250, () -> limiter.held(NodeLimits.slotKey("ip:" + IP)).map(held -> held == 0)));
    AtomicInteger asked = new AtomicInteger();
    hub.vertx().eventBus().addOutboundInterceptor(delivery -> {
      if (delivery.message().address().equals(Addresses.generate("demo"))) {
        asked.incrementAndGet();
      }
      delivery.next();
    });

    HttpResponse<Buffer> refused = await(client.postJson(path, body));

    expectRateLimited(refused);
    assertEquals(0, asked.get(), "no worker was asked");
    assertEquals(created, storeCreates(), "no stream was created");
    assertEquals(1L, await(limiter.held("conn|ip:" + IP)), "the connection slots: the holder's only");
    assertEquals(0L, await(limiter.held(NodeLimits.slotKey("ip:" + IP))), "no concurrent-stream slot taken");
  }

  /** A generation that cannot start (unknown model) gives back the connection slot admitted for it. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("endpoints")
  void anAdmittedRequestWhoseGenerationFailsGivesItsSlotBack(String path, JsonObject body) {
    Limiter limiter = NodeLimits.of(hub.vertx()).limiter();
    HttpResponse<Buffer> unknown = await(client.postJson(path, body.copy().put("model", "no-such-model")));
    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
    assertEquals("model_not_found", unknown.bodyAsJsonObject().getJsonObject("error").getString("code"));
    await(TestHubs.eventually(vertx, 20, 250, () -> limiter.held("conn|ip:" + IP).map(held -> held == 0)));
    HttpResponse<Buffer> served = await(client.postJson(path, body.copy().put(path.contains("responses") ? "max_output_tokens" : "max_tokens", 3)));
    assertEquals(200, served.statusCode(), served.bodyAsString());
  }

  private long storeCreates() {
    Timer timer = HubMetrics.of(hub.vertx()).registry().find("streamhub.store.operation").tag("op", "create").timer();
    return timer == null ? 0 : timer.count();
  }
}
