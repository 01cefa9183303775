package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two data members in this JVM with {@code cluster_quorum} 2; the one that is not the readers' node
 * leaves, so the readers' node holds no quorum and its store answers {@code store_unavailable}.
 * A reader being sent a stream there is moved to another node at its next heartbeat read: a native
 * SSE reader gets {@code event: reconnect} with code {@code store_unavailable} naming exactly its
 * next offset, a WebSocket is closed with 1012 and reason {@code store_unavailable}; an OpenAI-format
 * reader (it cannot resume) gets the error; a new long-poll the 503.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MinorityReadersTest {

  /** The heartbeat (and so the safety-net read) interval of the readers' sessions. */
  private static final long HEARTBEAT_MS = 200;
  /** The readers are moved within this of the quorum going: a few heartbeats. */
  private static final long BOUND_MS = 4000;

  private final InJvmCluster cluster = new InJvmCluster();

  @AfterEach
  void stopNodes() {
    cluster.close();
  }

  private static JsonObject node(String roles) {
    return InJvmCluster.hubNode(roles)
        .put("cluster_quorum", 2)
        .put("demo_enabled", roles.equals("all"))
        .put("demo_tokens_per_second", 40)
        .put("demo_answer_tokens", 2000)
        .put("sse_heartbeat_ms", HEARTBEAT_MS)
        .put("ws_ping_interval_ms", HEARTBEAT_MS);
  }

  @Test
  void readersOnTheMinoritySideAreToldToResumeElsewhere() throws Exception {
    String clusterName = "streamhub-minority-" + UUID.randomUUID();
    Vertx readersNode = cluster.joinAsHub(clusterName, node("all"));
    Vertx otherNode = cluster.joinAsHub(clusterName, node("edge"));
    Hub hub = Hub.start(readersNode, TestHubs.config(node("all"))).await(60, TimeUnit.SECONDS);
    Hub other = Hub.start(otherNode, TestHubs.config(node("edge"))).await(60, TimeUnit.SECONDS);
    assertTrue(HazelcastSetup.hasQuorum(readersNode), "two data members of two hold the quorum");
    HubClient client = new HubClient(readersNode, hub.port());

    String stream = client.createStream(TestHubs.chat("the other member leaves", 7L)).await(30, TimeUnit.SECONDS);
    HubClient.LiveSse sse = client.openSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap())
        .await(30, TimeUnit.SECONDS);
    HubClient.LiveSse openAi = client.openSse("/v1/streams/" + stream + "/events?format=openai", MultiMap.caseInsensitiveMultiMap())
        .await(30, TimeUnit.SECONDS);
    WsReader ws = WsReader.open(readersNode, hub.port(), stream).await(30, TimeUnit.SECONDS);
    sse.until(frames -> SseFrame.events(frames).size() >= 5).await(30, TimeUnit.SECONDS);
    openAi.until(frames -> SseFrame.events(frames).size() >= 5).await(30, TimeUnit.SECONDS);
    ws.until(5).await(30, TimeUnit.SECONDS);

    other.stop().await(30, TimeUnit.SECONDS);
    cluster.leave(otherNode);
    // Hazelcast updates the protection's state a moment after the membership change: poll it (20 ms x 500)
    TestHubs.eventually(readersNode, 20, 500, () -> Future.succeededFuture(!HazelcastSetup.hasQuorum(readersNode)))
        .await(30, TimeUnit.SECONDS);
    long left = System.nanoTime();
    assertFalse(HazelcastSetup.hasQuorum(readersNode), "one data member of two: no quorum within 10 s");

    List<SseFrame> frames = sse.ended().await(BOUND_MS * 2, TimeUnit.MILLISECONDS);
    long sseMs = elapsedMs(left);
    SseFrame last = frames.get(frames.size() - 1);
    assertEquals("reconnect", last.event(), last.raw());
    JsonObject notice = new JsonObject(last.data());
    assertEquals("store_unavailable", notice.getString("code"), last.raw());
    List<Long> offsets = SseFrame.offsets(frames);
    assertEquals(LongStream.range(0, offsets.size()).boxed().collect(Collectors.toList()), offsets, "every offset once, in order");
    assertEquals(offsets.size(), notice.getLong("next"), "the reconnect event names the next offset");
    assertTrue(sseMs < BOUND_MS, "SSE reader moved " + sseMs + " ms after the quorum went, bound " + BOUND_MS);

    short close = ws.closed().await(BOUND_MS * 2, TimeUnit.MILLISECONDS);
    long wsMs = elapsedMs(left);
    assertEquals(1012, close);
    assertEquals("store_unavailable", ws.closeReason());
    List<Long> wsOffsets = ws.offsets();
    assertEquals(LongStream.range(0, wsOffsets.size()).boxed().collect(Collectors.toList()), wsOffsets, "every offset once, in order");
    assertTrue(wsMs < BOUND_MS, "WebSocket closed " + wsMs + " ms after the quorum went, bound " + BOUND_MS);

    // OpenAI's SDKs cannot resume: the error, no reconnect event
    List<SseFrame> openAiFrames = openAi.ended().await(BOUND_MS * 2, TimeUnit.MILLISECONDS);
    SseFrame openAiLast = SseFrame.events(openAiFrames).get(SseFrame.events(openAiFrames).size() - 1);
    assertEquals(null, openAiLast.event(), openAiLast.raw());
    assertEquals("store_unavailable", new JsonObject(openAiLast.data()).getJsonObject("error").getString("code"), openAiLast.raw());

    // a new reader on this node: the status
    HttpResponse<Buffer> poll = client.get("/v1/streams/" + stream + "/poll?from=0&timeout=1").await(30, TimeUnit.SECONDS);
    assertEquals(503, poll.statusCode(), poll.bodyAsString());
    assertEquals("store_unavailable", poll.bodyAsJsonObject().getJsonObject("error").getString("code"));
    hub.stop().await(30, TimeUnit.SECONDS);
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** A WebSocket subscribed to one stream from 0: the offsets received, the close code and reason. */
  private static final class WsReader {
    private final List<Long> offsets = new ArrayList<>();
    private final Promise<Short> closed = Promise.promise();
    private final WebSocket ws;
    private int wanted = Integer.MAX_VALUE;
    private Promise<Void> reached;

    private WsReader(WebSocket ws) {
      this.ws = ws;
      ws.textMessageHandler(text -> onMessage(new JsonObject(text)));
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    }

    static Future<WsReader> open(Vertx vertx, int port, String stream) {
      WebSocketClient client = vertx.createWebSocketClient();
      return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws")).map(ws -> {
        WsReader reader = new WsReader(ws);
        ws.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", stream).put("from", 0).encode());
        return reader;
      });
    }

    private synchronized void onMessage(JsonObject message) {
      if (message.containsKey("offset")) {
        offsets.add(message.getLong("offset"));
        if (reached != null && offsets.size() >= wanted) {
          reached.tryComplete();
        }
      }
    }

    synchronized Future<Void> until(int count) {
      if (offsets.size() >= count) {
        return Future.succeededFuture();
      }
      wanted = count;
      reached = Promise.promise();
      return reached.future();
    }

    synchronized List<Long> offsets() {
      return List.copyOf(offsets);
    }

    String closeReason() {
      return ws.closeReason();
    }

    Future<Short> closed() {
      return closed.future();
    }
  }
}
