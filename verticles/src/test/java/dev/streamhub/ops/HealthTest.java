package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.memory.MemoryStreamLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /health/live} and {@code /health/ready}: exact bodies and statuses, HEAD, drain, an unreachable store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthTest {

  private Vertx vertx;

  @AfterEach
  void close() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** What a HEAD request gets: the status and the body's length (which must be 0). */
  private record Head(int status, int bodyLength) {}

  private Head head(int port, String path) {
    HttpClient http = vertx.createHttpClient();
    return TestHubs.onContext(vertx, () -> http.request(HttpMethod.HEAD, port, "127.0.0.1", path)
            .compose(req -> req.send())
            .compose(resp -> resp.body().map(body -> new Head(resp.statusCode(), body.length()))))
        .eventually(() -> http.close())
        .await();
  }

  @Nested
  class OnAHub {
    @Test
    void bothAnswerUpAndHeadWorks() {
      vertx = Vertx.vertx();
      Hub hub = TestHubs.start(vertx).await();
      HubClient client = new HubClient(vertx, hub.port());
      for (String path : List.of("/health/live", "/health/ready")) {
        HttpResponse<Buffer> resp = client.get(path).await();
        assertEquals(200, resp.statusCode(), path);
        assertEquals("{\"status\":\"UP\"}", resp.bodyAsString(), path);
        assertEquals("no-cache", resp.getHeader("Cache-Control"));
        assertEquals(new Head(200, 0), head(hub.port(), path), "HEAD " + path);
      }
    }

    @Test
    void anAdminDrainTakesReadinessDownButNotLiveness() {
      vertx = Vertx.vertx();
      Hub hub = TestHubs.start(vertx, new JsonObject().put("admin_token", AdminDrainTest.TOKEN)).await();
      HubClient client = new HubClient(vertx, hub.port());
      HttpResponse<Buffer> drain = client.web().post(hub.port(), "127.0.0.1", "/admin/drain")
          .putHeader("Authorization", "Bearer " + AdminDrainTest.TOKEN).send().await();
      assertEquals(202, drain.statusCode());
      HttpResponse<Buffer> ready = client.get("/health/ready").await();
      assertEquals(503, ready.statusCode());
      assertEquals("{\"status\":\"DRAINING\"}", ready.bodyAsString());
      assertEquals(new Head(503, 0), head(hub.port(), "/health/ready"));
      HttpResponse<Buffer> live = client.get("/health/live").await();
      assertEquals(200, live.statusCode());
      assertEquals("{\"status\":\"UP\"}", live.bodyAsString());
      assertEquals(new Head(200, 0), head(hub.port(), "/health/live"));
    }
  }

  /**
   * The handler alone in front of a store whose round trips can be made to hang, as an unreachable
   * Redis or Hazelcast member would: readiness goes down within the probe's timeout while liveness
   * stays up (it never asks the store), and comes back when the store answers again.
   */
  @Nested
  class WhenTheStoreDoesNotAnswer {
    @Test
    void readyGoesDownLiveStaysUpAndReadyComesBack() {
      vertx = Vertx.vertx();
      StallingLog log = new StallingLog();
      Router router = Router.router(vertx);
      new HealthHandler(vertx, new Drain(), new StoreProbe(log)).mount(router);
      int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await().actualPort();
      HubClient client = new HubClient(vertx, port);

      assertEquals("{\"status\":\"UP\"}", client.get("/health/ready").await().bodyAsString());
      log.stalled = true;
      TestHubs.eventually(vertx, 100, 50, () -> client.get("/health/ready").map(resp -> resp.statusCode() == 503)).await();
      HttpResponse<Buffer> down = client.get("/health/ready").await();
      JsonObject body = down.bodyAsJsonObject();
      assertEquals("DOWN", body.getString("status"));
      assertEquals("store", body.getJsonArray("checks").getJsonObject(0).getString("id"), body.encode());
      assertEquals(1, body.getJsonArray("checks").size(), body.encode());
      int pingsWhileDown = log.pings.get();
      HttpResponse<Buffer> live = client.get("/health/live").await();
      assertEquals(200, live.statusCode());
      assertEquals("{\"status\":\"UP\"}", live.bodyAsString());
      assertEquals(pingsWhileDown, log.pings.get(), "/health/live must not touch the store");

      log.stalled = false;
      TestHubs.eventually(vertx, 100, 50, () -> client.get("/health/ready").map(resp -> resp.statusCode() == 200)).await();
      // cached: ten checks within a second cost at most two round trips
      int before = log.pings.get();
      for (int i = 0; i < 10; i++) {
        assertEquals(200, client.get("/health/ready").await().statusCode());
      }
      assertTrue(log.pings.get() - before <= 2, (log.pings.get() - before) + " pings for 10 checks");
    }
  }

  /** A memory log whose ping never answers while {@code stalled}, and counts pings. */
  static final class StallingLog implements StreamLog {
    private final MemoryStreamLog delegate = new MemoryStreamLog(StreamLogConfig.defaults());
    final AtomicInteger pings = new AtomicInteger();
    volatile boolean stalled;

    @Override
    public Future<Void> ping() {
      pings.incrementAndGet();
      return stalled ? Promise.<Void>promise().future() : Future.succeededFuture();
    }

    @Override
    public Future<StreamMeta> create(StreamMeta meta) {
      return delegate.create(meta);
    }

    @Override
    public Future<List<Event>> append(String stream, List<NewEvent> events) {
      return delegate.append(stream, events);
    }

    @Override
    public Future<ReadResult> read(String stream, long from, int max) {
      return delegate.read(stream, from, max);
    }

    @Override
    public Future<StreamMeta> meta(String stream) {
      return delegate.meta(stream);
    }

    @Override
    public Future<Integer> expire() {
      return delegate.expire();
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }
}
