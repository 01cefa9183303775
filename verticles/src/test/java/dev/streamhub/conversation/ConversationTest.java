package dev.streamhub.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.redis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Multi-turn conversations through the HTTP API, on every store: the client sends only its new
 * message, and the demo model's third answer quotes the first turn, which proves the context
 * reached the worker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConversationTest {

  private static final long WAIT_S = 60;
  private static final String FIRST = "my name is Ada";

  private final List<Vertx> nodes = new ArrayList<>();
  private final List<AutoCloseable> services = new ArrayList<>();
  private final Vertx client = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(WAIT_S, TimeUnit.SECONDS);
    }
    for (AutoCloseable service : services) {
      service.close();
    }
    client.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private Hub hub(Vertx vertx, JsonObject overrides) throws Exception {
    nodes.add(vertx);
    return TestHubs.start(vertx, overrides).await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void threeTurnsOnTheMemoryStore() throws Exception {
    threeTurns(hub(Vertx.vertx(), new JsonObject()), id -> Future.succeededFuture(true));
  }

  @Test
  void threeTurnsOnTheRedisStore() throws Exception {
    RedisServer redis = RedisServer.startNew(false);
    services.add(redis);
    RedisConversationStore direct = new RedisConversationStore(client, redis.url(), 5000, 60_000);
    threeTurns(hub(Vertx.vertx(), new JsonObject().put("store", redis.url())), id -> direct.get(id).map(text -> text != null));
    assertEquals(null, direct.get(threeTurnsId).await(WAIT_S, TimeUnit.SECONDS), "deleted from Redis");
  }

  @Test
  void threeTurnsOnTheHazelcastStore() throws Exception {
    Vertx clustered = Vertx.builder().withClusterManager(new HazelcastClusterManager(EmbeddedHazelcast.config()))
        .buildClustered().await(WAIT_S, TimeUnit.SECONDS);
    Hub hub = hub(clustered, new JsonObject()
        .put("cluster_config", "../cluster-config/hazelcast-loopback.xml")
        .put("cluster_host", "127.0.0.1"));
    assertEquals("hazelcast", TestHubs.config(new JsonObject().put("cluster_config", "../cluster-config/hazelcast-loopback.xml")).log().store());
    HazelcastInstance member = HazelcastSetup.hazelcast(clustered).orElseThrow();
    threeTurns(hub, id -> Future.succeededFuture(member.getMap(HazelcastConversationStore.MAP).containsKey(id)));
    assertEquals(false, member.getMap(HazelcastConversationStore.MAP).containsKey(threeTurnsId), "deleted from the cluster's map");
  }

  @Test
  void aWebSocketCreateContinuesTheConversationAndNamesIt() throws Exception {
    Hub hub = hub(Vertx.vertx(), new JsonObject());
    HubClient http = new HubClient(client, hub.port());
    String id = chat(http, "new", FIRST).getHeader("X-Conversation-Id");
    WebSocket ws = client.createWebSocketClient()
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI("/v1/ws"))
        .await(WAIT_S, TimeUnit.SECONDS);
    List<JsonObject> received = new ArrayList<>();
    Promise<List<JsonObject>> ended = Promise.promise();
    ws.textMessageHandler(text -> {
      JsonObject message = new JsonObject(text);
      received.add(message);
      if ("done".equals(message.getString("type")) || "error".equals(message.getString("type"))) {
        ended.tryComplete(List.copyOf(received));
      }
    });
    ws.writeTextMessage(TestHubs.chat("and now", 3L).put("type", "response.create").put("request_id", "r1").put("conversation", id).encode())
        .await(WAIT_S, TimeUnit.SECONDS);
    List<JsonObject> messages = ended.future().await(WAIT_S, TimeUnit.SECONDS);
    JsonObject created = messages.get(0);
    assertEquals("stream.created", created.getString("type"), created.encode());
    assertEquals(id, created.getString("conversation"));
    StringBuilder text = new StringBuilder();
    messages.stream().filter(m -> "delta".equals(m.getString("type"))).forEach(m -> text.append(m.getJsonObject("data").getString("text")));
    assertTrue(text.toString().startsWith("You asked: and now. Turn 2; first you asked: my name is Ada."), text.toString());
    assertEquals("done", messages.get(messages.size() - 1).getString("type"));
    ws.close().await(WAIT_S, TimeUnit.SECONDS);
    JsonArray turns = conversation(http, id).getJsonArray("turns");
    assertEquals(4, turns.size(), turns.encodePrettily());
    assertEquals(created.getString("stream"), turns.getJsonObject(3).getString("stream"));
    assertEquals(text.toString(), turns.getJsonObject(3).getString("content"));
  }

  @Test
  void anotherPrincipalCannotSeeItAndAnUnknownIdIsNotFound() throws Exception {
    Hub hub = hub(Vertx.vertx(), new JsonObject());
    HubClient http = new HubClient(client, hub.port());
    HttpResponse<Buffer> first = chat(http, "new", FIRST);
    String id = first.getHeader("X-Conversation-Id");
    Conversations conversations = Conversations.of(hub.vertx());
    assertEquals(1 + 1, conversations.get(id, "anonymous").await(WAIT_S, TimeUnit.SECONDS).turns().size());
    Throwable other = failure(conversations.get(id, "mallory"));
    assertEquals(ErrorCode.CONVERSATION_NOT_FOUND, assertInstanceOf(HubException.class, other).code());
    Throwable continued = failure(conversations.start(id, "mallory", new JsonArray(), messages -> Future.failedFuture("must not start")));
    assertEquals(ErrorCode.CONVERSATION_NOT_FOUND, assertInstanceOf(HubException.class, continued).code());
    HttpResponse<Buffer> unknown = http.get("/v1/conversations/cv_AAAAAAAAAAAAAAAAAAAAAA").await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(404, unknown.statusCode());
    assertEquals("conversation_not_found", unknown.bodyAsJsonObject().getJsonObject("error").getString("code"));
    HttpResponse<Buffer> continuingUnknown = http.postJson("/v1/chat/completions",
        TestHubs.chat("hello", 1L).put("conversation", "cv_AAAAAAAAAAAAAAAAAAAAAA")).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(404, continuingUnknown.statusCode());
    HttpResponse<Buffer> bad = http.postJson("/v1/chat/completions", TestHubs.chat("hello", 1L).put("conversation", 42))
        .await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(400, bad.statusCode());
    assertEquals("bad_request", bad.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  @Test
  void aCancelledAnswerIsRecordedAsCancelledAndIsNoContext() throws Exception {
    Hub hub = hub(Vertx.vertx(), new JsonObject().put("demo_ttft_ms", 600_000));
    HubClient http = new HubClient(client, hub.port());
    HttpResponse<Buffer> created = http.postJson("/v1/streams", TestHubs.chat(FIRST, 1L).put("conversation", true))
        .await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("conversation");
    String stream = created.bodyAsJsonObject().getString("stream");
    HttpResponse<Buffer> cancelled = http.delete("/v1/streams/" + stream).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    http.awaitFinished(client, stream).await(WAIT_S, TimeUnit.SECONDS);
    JsonArray turns = conversation(http, id).getJsonArray("turns");
    assertEquals(new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", FIRST).put("stream", stream))
        .add(new JsonObject().put("role", "assistant").put("content", "").put("stream", stream).put("status", "cancelled")), turns);
    Conversation stored = Conversations.of(hub.vertx()).get(id, "anonymous").await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(new JsonArray().add(new JsonObject().put("role", "user").put("content", FIRST)), stored.context());
  }

  /** The conversation of the last {@link #threeTurns}, deleted by then. */
  private String threeTurnsId;

  /**
   * Three turns, each sending only its new message, on two endpoints; {@code inBackend} tells
   * whether the store under test (not some other) holds the conversation. Deletes it at the end.
   */
  private void threeTurns(Hub hub, Function<String, Future<Boolean>> inBackend) throws Exception {
    HubClient http = new HubClient(client, hub.port());

    HttpResponse<Buffer> first = chat(http, "new", FIRST);
    String id = first.getHeader("X-Conversation-Id");
    assertTrue(ConversationIds.looksValid(id), "a new conversation id: " + id);
    String answer1 = answerOf(first);
    assertTrue(answer1.startsWith("You asked: my name is Ada."), answer1);
    assertTrue(!answer1.contains("Turn"), answer1);

    HttpResponse<Buffer> second = http.postJson("/v1/streams", TestHubs.chat("what is a stream", 2L).put("conversation", id))
        .await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(201, second.statusCode(), second.bodyAsString());
    assertEquals(id, second.bodyAsJsonObject().getString("conversation"));
    String stream2 = second.bodyAsJsonObject().getString("stream");
    http.awaitFinished(client, stream2).await(WAIT_S, TimeUnit.SECONDS);

    HttpResponse<Buffer> third = chat(http, id, "what did I tell you");
    assertEquals(id, third.getHeader("X-Conversation-Id"));
    String answer3 = answerOf(third);
    assertTrue(answer3.startsWith("You asked: what did I tell you. Turn 3; first you asked: my name is Ada."), answer3);

    JsonObject conversation = conversation(http, id);
    assertEquals(id, conversation.getString("id"));
    assertEquals("conversation", conversation.getString("object"));
    JsonArray turns = conversation.getJsonArray("turns");
    assertEquals(6, turns.size(), turns.encodePrettily());
    List<String> shape = new ArrayList<>();
    turns.forEach(t -> shape.add(((JsonObject) t).getString("role") + ":" + ((JsonObject) t).getString("status")));
    assertEquals(List.of("user:null", "assistant:done", "user:null", "assistant:done", "user:null", "assistant:done"), shape);
    assertEquals(FIRST, turns.getJsonObject(0).getString("content"));
    assertEquals(answer1, turns.getJsonObject(1).getString("content"));
    assertEquals("what is a stream", turns.getJsonObject(2).getString("content"));
    assertEquals(stream2, turns.getJsonObject(3).getString("stream"));
    assertTrue(turns.getJsonObject(3).getString("content").startsWith("You asked: what is a stream. Turn 2; first you asked: my name is Ada."));
    assertEquals(answer3, turns.getJsonObject(5).getString("content"));

    assertTrue(inBackend.apply(id).await(WAIT_S, TimeUnit.SECONDS), "the conversation is in the store under test");
    threeTurnsId = id;
    HttpResponse<Buffer> deleted = http.delete("/v1/conversations/" + id).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(200, deleted.statusCode(), deleted.bodyAsString());
    assertEquals(true, deleted.bodyAsJsonObject().getBoolean("deleted"));
    HttpResponse<Buffer> gone = http.get("/v1/conversations/" + id).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(404, gone.statusCode());
    assertEquals("conversation_not_found", gone.bodyAsJsonObject().getJsonObject("error").getString("code"));
    http.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> chat(HubClient http, String conversation, String message) throws Exception {
    HttpResponse<Buffer> resp = http.postJson("/v1/chat/completions", TestHubs.chat(message, 1L).put("conversation", conversation))
        .await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(200, resp.statusCode(), resp.bodyAsString());
    return resp;
  }

  private static String answerOf(HttpResponse<Buffer> completion) {
    return completion.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  private static JsonObject conversation(HubClient http, String id) throws Exception {
    HttpResponse<Buffer> resp = http.get("/v1/conversations/" + id).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals(200, resp.statusCode(), resp.bodyAsString());
    return resp.bodyAsJsonObject();
  }

  private static Throwable failure(Future<?> future) throws Exception {
    Throwable cause = future.transform(ar -> Future.succeededFuture(ar.cause())).await(WAIT_S, TimeUnit.SECONDS);
    if (cause == null) {
      fail("expected a failure, got " + future.result());
    }
    return cause;
  }
}
