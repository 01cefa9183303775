package dev.streamhub.transport.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.cluster.NodeProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A background streaming response read through the official Java SDK on node A, whose JVM is killed
 * mid-answer; the SDK resumes it on node B ({@code retrieveStreaming} with {@code startingAfter} the
 * last sequence number it had), and the events (numbers, types, text) equal an uninterrupted read
 * of the same request. Two JVMs of a cluster with a random name, the stream log in Hazelcast (a
 * synchronous backup, so node A's death loses nothing); A is an edge only, B an edge and the
 * worker. Hazelcast listens on a random block of ten ports in 45200-45999 (a config written for
 * this test), away from the ports other suites use.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResponsesClusterIT {

  static final String CLUSTER = "streamhub-responses-it-" + UUID.randomUUID();
  static final String QUESTION = "cut me off and resume me elsewhere";

  static Vertx vertx;
  static NodeProcess a;
  static NodeProcess b;

  @BeforeAll
  static void startCluster() throws Exception {
    vertx = Vertx.vertx();
    int base = 45_200 + 10 * ThreadLocalRandom.current().nextInt(80);
    Path config = Path.of("target", "hazelcast-responses-it.xml");
    Files.writeString(config, Files.readString(NodeProcess.LOOPBACK_CONFIG)
        .replace("port-count=\"10\">5701<", "port-count=\"10\">" + base + "<"));
    Map<String, String> env = Map.of(
        "STREAMHUB_CLUSTER_CONFIG", config.toAbsolutePath().toString(),
        "STREAMHUB_LOG_STORE", "hazelcast",
        "STREAMHUB_DEMO_TTFT_MS", "0",
        "STREAMHUB_DEMO_TOKENS_PER_SECOND", "20",
        "STREAMHUB_DEMO_ANSWER_TOKENS", "120",
        "STREAMHUB_SSE_HEARTBEAT_MS", "3600000");
    a = NodeProcess.start("responses-a", CLUSTER, "edge", env);
    b = NodeProcess.start("responses-b", CLUSTER, "all", env);
    awaitMembers(new HubClient(vertx, a.port()), 2);
    awaitMembers(new HubClient(vertx, b.port()), 2);
    HubClient onA = new HubClient(vertx, a.port());
    TestHubs.eventually(vertx, 200, 150, () ->
        onA.postJson("/v1/streams", TestHubs.chat("ready?", 1L)).map(resp -> resp.statusCode() == 201).otherwise(false)).await();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (NodeProcess node : new NodeProcess[] {a, b}) {
      if (node != null) {
        node.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void killedMidAnswerResumesOnAnotherNodeEqualToAnUninterruptedRead() throws Exception {
    ResponseCreateParams params = ResponseCreateParams.builder().model("demo").input(QUESTION).background(true).build();
    List<JsonNode> before = new ArrayList<>();
    OpenAIClient onA = sdk(a);
    try {
      StreamResponse<ResponseStreamEvent> stream = onA.responses().createStreaming(params);
      stream.stream().limit(12).forEach(event -> before.add(ObjectMappers.jsonMapper().valueToTree(event)));
      a.kill();
      try {
        stream.close();
      } catch (RuntimeException cut) {
        // the connection is gone with the node
      }
    } finally {
      onA.close();
    }
    String id = before.get(0).get("response").get("id").asText();
    long last = before.get(before.size() - 1).get("sequence_number").asLong();

    List<JsonNode> after;
    List<JsonNode> uninterrupted;
    OpenAIClient onB = sdk(b);
    try {
      after = events(onB.responses().retrieveStreaming(id, ResponseRetrieveParams.builder().startingAfter(last).build()));
      uninterrupted = events(onB.responses().createStreaming(params));
    } finally {
      onB.close();
    }
    List<JsonNode> resumed = new ArrayList<>(before);
    resumed.addAll(after);

    assertEquals(11L, last, "12 events read on A: the preamble and 8 deltas");
    assertEquals(numbers(uninterrupted), numbers(resumed));
    assertEquals(types(uninterrupted), types(resumed));
    assertEquals(text(uninterrupted), text(resumed));
    assertEquals(120L, types(resumed).stream().filter("response.output_text.delta"::equals).count());
    assertEquals("response.completed", types(resumed).get(resumed.size() - 1));
    assertEquals(text(resumed), resumed.get(resumed.size() - 1).get("response").get("output").get(0).get("content").get(0).get("text").asText());
    assertTrue(after.get(0).get("sequence_number").asLong() == last + 1, "resumed right after " + last);
  }

  private static OpenAIClient sdk(NodeProcess node) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + node.port() + "/v1")
        .apiKey("unused")
        .timeout(Duration.ofSeconds(60))
        .maxRetries(0)
        .build();
  }

  private static List<JsonNode> events(StreamResponse<ResponseStreamEvent> stream) {
    try (stream) {
      return stream.stream().map(event -> (JsonNode) ObjectMappers.jsonMapper().valueToTree(event)).collect(Collectors.toList());
    }
  }

  private static List<Long> numbers(List<JsonNode> events) {
    return events.stream().map(e -> e.get("sequence_number").asLong()).collect(Collectors.toList());
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText()).collect(Collectors.toList());
  }

  private static String text(List<JsonNode> events) {
    return events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta"))
        .map(e -> e.get("delta").asText()).collect(Collectors.joining());
  }

  private static void awaitMembers(HubClient client, int count) {
    TestHubs.eventually(vertx, 200, 300, () -> {
      for (NodeProcess node : new NodeProcess[] {a, b}) {
        if (node != null && node.exitedUnexpectedly()) {
          throw new AssertionError("node " + node.name() + " exited; see target/it-logs/" + node.name() + ".log");
        }
      }
      return client.get("/v1/cluster").map(resp -> {
        if (resp.statusCode() != 200) {
          return false;
        }
        JsonArray members = resp.bodyAsJsonObject().getJsonArray("members");
        return members.size() == count;
      }).otherwise(false);
    }).await();
  }
}
