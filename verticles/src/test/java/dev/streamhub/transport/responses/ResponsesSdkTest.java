package dev.streamhub.transport.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.streamhub.TestHubs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java SDK's Responses API against the hub, only its base URL changed: the typed
 * event sequence and its sequence numbers, {@code retrieveStreaming} with {@code startingAfter} from
 * every number, background responses, cancel, refused fields. The demo model runs at 50 tokens/s so
 * that a response is still running when it is cancelled. The SDK blocks: it runs on the JUnit thread.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResponsesSdkTest {

  private OpenAIClient openai;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx, new JsonObject().put("demo_tokens_per_second", 50)).onComplete(ctx.succeeding(hub -> {
      openai = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + hub.port() + "/v1")
          .apiKey("unused")
          .timeout(Duration.ofSeconds(20))
          .maxRetries(0)
          .build();
      ctx.completeNow();
    }));
  }

  @AfterEach
  void closeSdk() {
    openai.close();
  }

  private static ResponseCreateParams params(String question) {
    return ResponseCreateParams.builder().model("demo").input(question).build();
  }

  /** Every event of a stream, as the JSON the SDK parsed (type, sequence_number and fields). */
  private static List<JsonNode> events(StreamResponse<ResponseStreamEvent> stream) {
    try (stream) {
      return stream.stream().map(event -> ObjectMappers.jsonMapper().valueToTree(event)).map(JsonNode.class::cast)
          .collect(Collectors.toList());
    }
  }

  private static String deltas(List<JsonNode> events) {
    return events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta"))
        .map(e -> e.get("delta").asText()).collect(Collectors.joining());
  }

  /** The text of a response's one message. */
  private static String text(Response response) {
    return response.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text();
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText()).collect(Collectors.toList());
  }

  @Test
  void streamsTheTypedSequenceNumberedFromTheOffsets(VertxTestContext ctx) {
    List<JsonNode> events = events(openai.responses().createStreaming(params("what is a typed event sequence?")));
    Response whole = openai.responses().create(params("what is a typed event sequence?"));

    List<String> types = types(events);
    int n = events.size();
    ctx.verify(() -> {
      assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"),
          types.subList(0, 4));
      assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"),
          types.subList(n - 4, n));
      int deltaCount = n - 8;
      assertTrue(deltaCount >= 24, "the demo model answers with at least 24 tokens");
      assertEquals(List.of("response.output_text.delta"), types.subList(4, n - 4).stream().distinct().collect(Collectors.toList()));
      // 0..3 the preamble, delta at offset o is o + 4, then usage (offset d, skipped) and done (offset d + 1)
      List<Long> expected = new ArrayList<>();
      for (long s = 0; s < 4 + deltaCount; s++) {
        expected.add(s);
      }
      long terminal = deltaCount + 1 + 4;
      for (long s = terminal; s < terminal + 4; s++) {
        expected.add(s);
      }
      assertEquals(expected, events.stream().map(e -> e.get("sequence_number").asLong()).collect(Collectors.toList()));
      String text = deltas(events);
      assertEquals(text, events.get(n - 4).get("text").asText());
      JsonNode completed = events.get(n - 1).get("response");
      assertEquals("completed", completed.get("status").asText());
      assertEquals(text, completed.get("output").get(0).get("content").get(0).get("text").asText());
      assertEquals(ResponseStatus.COMPLETED, whole.status().orElseThrow());
      assertEquals(text, text(whole));
      assertEquals(deltaCount, whole.usage().orElseThrow().outputTokens());
      assertTrue(whole.id().startsWith("resp_"), whole.id());
    });
    ctx.completeNow();
  }

  @Test
  void resumesFromEverySequenceNumberExactlyOnce(VertxTestContext ctx) {
    List<JsonNode> all = events(openai.responses().createStreaming(params("resume me from anywhere").toBuilder().background(true).build()));
    String id = all.get(0).get("response").get("id").asText();
    List<Long> numbers = all.stream().map(e -> e.get("sequence_number").asLong()).collect(Collectors.toList());
    for (long after : numbers) {
      List<JsonNode> resumed = events(openai.responses().retrieveStreaming(id, ResponseRetrieveParams.builder().startingAfter(after).build()));
      List<JsonNode> tail = all.stream().filter(e -> e.get("sequence_number").asLong() > after).collect(Collectors.toList());
      ctx.verify(() -> assertEquals(tail, resumed, "starting_after=" + after));
    }
    List<JsonNode> again = events(openai.responses().retrieveStreaming(id));
    Response retrieved = openai.responses().retrieve(id);
    ctx.verify(() -> {
      assertEquals(all, again);
      assertEquals(deltas(all), text(retrieved));
      assertEquals(ResponseStatus.COMPLETED, retrieved.status().orElseThrow());
    });
    ctx.completeNow();
  }

  @Test
  void resumesMidAnswerThenGoesLive(VertxTestContext ctx) {
    List<JsonNode> first = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = openai.responses().createStreaming(
        params("cut me off early").toBuilder().background(true).build())) {
      stream.stream().limit(7).forEach(event -> first.add(ObjectMappers.jsonMapper().valueToTree(event)));
    }
    String id = first.get(0).get("response").get("id").asText();
    long last = first.get(6).get("sequence_number").asLong();
    List<JsonNode> rest = events(openai.responses().retrieveStreaming(id, ResponseRetrieveParams.builder().startingAfter(last).build()));
    List<JsonNode> whole = events(openai.responses().retrieveStreaming(id));
    List<JsonNode> joined = new ArrayList<>(first);
    joined.addAll(rest);
    ctx.verify(() -> {
      assertEquals(6L, last);
      assertEquals(whole, joined);
      assertEquals("response.completed", types(rest).get(rest.size() - 1));
    });
    ctx.completeNow();
  }

  @Test
  void cancelsABackgroundResponse(VertxTestContext ctx) throws Exception {
    // a hub of its own (its own event bus, so no other demo worker takes the request) whose answers
    // take 40 s: the cancel lands mid-answer however loaded the machine
    Vertx slowVertx = Vertx.vertx();
    try {
      int port = TestHubs.start(slowVertx, new JsonObject().put("demo_tokens_per_second", 50).put("demo_answer_tokens", 2000))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).port();
      openai.close();
      openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("unused")
          .timeout(Duration.ofSeconds(20)).maxRetries(0).build();
      cancelMidAnswer(ctx);
    } finally {
      slowVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private void cancelMidAnswer(VertxTestContext ctx) {
    Response started = openai.responses().create(params("a long answer to cancel").toBuilder().background(true).maxOutputTokens(500L).build());
    Response cancelled = openai.responses().cancel(started.id());
    Response retrieved = openai.responses().retrieve(started.id());
    List<JsonNode> events = events(openai.responses().retrieveStreaming(started.id()));
    List<String> types = types(events);
    ctx.verify(() -> {
      assertEquals(ResponseStatus.IN_PROGRESS, started.status().orElseThrow());
      assertEquals(ResponseStatus.CANCELLED, cancelled.status().orElseThrow());
      assertEquals(ResponseStatus.CANCELLED, retrieved.status().orElseThrow());
      assertEquals("response.cancelled", types.get(types.size() - 1));
      assertEquals("incomplete", events.get(events.size() - 2).get("item").get("status").asText());
      assertEquals(deltas(events), text(retrieved));
    });
    // cancelling again answers the response as it is
    Response twice = openai.responses().cancel(started.id());
    ctx.verify(() -> assertEquals(ResponseStatus.CANCELLED, twice.status().orElseThrow()));
    openai.responses().delete(started.id());
    ctx.completeNow();
  }

  @Test
  void maxOutputTokensEndsIncomplete(VertxTestContext ctx) {
    Response response = openai.responses().create(params("stop me short").toBuilder().maxOutputTokens(3L).instructions("be brief").build());
    ctx.verify(() -> {
      assertEquals(ResponseStatus.INCOMPLETE, response.status().orElseThrow());
      assertEquals("max_output_tokens", response.incompleteDetails().orElseThrow().reason().orElseThrow().asString());
      assertEquals(3, response.usage().orElseThrow().outputTokens());
    });
    ctx.completeNow();
  }

  /** The demo model's prompt tokens: the characters of every message it got, a token per 4. */
  private static long promptTokens(String... messages) {
    int chars = 0;
    for (String message : messages) {
      chars += message.length();
    }
    return (chars + 3) / 4;
  }

  @Test
  void instructionsAndMaxOutputTokensReachTheWorkerAndAreEchoed(VertxTestContext ctx) {
    Response response = openai.responses().create(params("my name is Ada").toBuilder().instructions("be brief").maxOutputTokens(500L).build());
    Response retrieved = openai.responses().retrieve(response.id());
    ctx.verify(() -> {
      for (Response r : List.of(response, retrieved)) {
        assertEquals("be brief", r.instructions().orElseThrow().asString());
        assertEquals(500L, r.maxOutputTokens().orElseThrow());
        assertTrue(r.previousResponseId().isEmpty());
        assertEquals(ResponseStatus.COMPLETED, r.status().orElseThrow());
      }
      // the instructions were a system message before the input: the demo model counts both
      assertEquals(promptTokens("be brief", "my name is Ada"), response.usage().orElseThrow().inputTokens());
    });
    ctx.completeNow();
  }

  @Test
  void previousResponseIdContinuesItsConversationAndBranches(VertxTestContext ctx) {
    Response first = openai.responses().create(params("my name is Ada").toBuilder().instructions("be brief").build());
    Response second = openai.responses().create(params("what did I say?").toBuilder().previousResponseId(first.id()).build());
    Response branch = openai.responses().create(params("another branch").toBuilder().previousResponseId(first.id()).build());
    Response third = openai.responses().create(params("and now?").toBuilder().previousResponseId(second.id()).build());
    Response secondAgain = openai.responses().retrieve(second.id());
    ctx.verify(() -> {
      assertTrue(first.previousResponseId().isEmpty());
      assertEquals(first.id(), second.previousResponseId().orElseThrow());
      assertEquals(first.id(), secondAgain.previousResponseId().orElseThrow());
      assertEquals(first.id(), branch.previousResponseId().orElseThrow());
      assertEquals(second.id(), third.previousResponseId().orElseThrow());
      // instructions are not carried over to a later response (as OpenAI)
      assertTrue(second.instructions().isEmpty());
      assertTrue(text(second).startsWith("You asked: what did I say?. Turn 2; first you asked: my name is Ada."), text(second));
      // a second continuation of the same response is a branch: it does not see 'what did I say?'
      assertTrue(text(branch).startsWith("You asked: another branch. Turn 2; first you asked: my name is Ada."), text(branch));
      assertTrue(text(third).startsWith("You asked: and now?. Turn 3; first you asked: my name is Ada."), text(third));
      // the worker got exactly: first input, first answer, the new input (no instructions)
      assertEquals(promptTokens("my name is Ada", text(first), "what did I say?"), second.usage().orElseThrow().inputTokens());
      assertEquals(promptTokens("my name is Ada", text(first), "what did I say?", text(second), "and now?"),
          third.usage().orElseThrow().inputTokens());
    });
    ctx.completeNow();
  }

  @Test
  void streamingContinuationEchoesPreviousResponseId(VertxTestContext ctx) {
    Response first = openai.responses().create(params("remember blue"));
    List<JsonNode> events = events(openai.responses().createStreaming(
        params("which colour?").toBuilder().previousResponseId(first.id()).build()));
    ctx.verify(() -> {
      assertEquals(first.id(), events.get(0).get("response").get("previous_response_id").asText());
      assertEquals("response.completed", events.get(events.size() - 1).get("type").asText());
      assertEquals(first.id(), events.get(events.size() - 1).get("response").get("previous_response_id").asText());
      assertTrue(deltas(events).startsWith("You asked: which colour?. Turn 2; first you asked: remember blue."), deltas(events));
    });
    ctx.completeNow();
  }

  @Test
  void unknownOrDeletedPreviousResponseIdIsOpenAisPreviousResponseNotFound(VertxTestContext ctx) {
    Response deleted = openai.responses().create(params("forget me"));
    openai.responses().delete(deleted.id());
    for (String id : List.of("resp_AAAAAAAAAAAAAAAAAAAAAA", "resp_x", "st_AAAAAAAAAAAAAAAAAAAAAA", deleted.id())) {
      BadRequestException unknown = assertThrows(BadRequestException.class, () -> openai.responses().create(
          params("again").toBuilder().previousResponseId(id).build()));
      ctx.verify(() -> {
        assertEquals(400, unknown.statusCode());
        assertEquals("previous_response_not_found", unknown.code().orElseThrow());
        assertTrue(unknown.getMessage().contains("Previous response with id '" + id + "' not found."), unknown.getMessage());
      });
    }
    ctx.completeNow();
  }

  @Test
  void refusesWhatItDoesNotSupport(VertxTestContext ctx) {
    BadRequestException temperature = assertThrows(BadRequestException.class, () -> openai.responses().create(
        params("again").toBuilder().temperature(0.5).build()));
    NotFoundException unknown = assertThrows(NotFoundException.class, () -> openai.responses().retrieve("resp_AAAAAAAAAAAAAAAAAAAAAA"));
    NotFoundException malformed = assertThrows(NotFoundException.class, () -> openai.responses().retrieve("nope"));
    ctx.verify(() -> {
      assertTrue(temperature.getMessage().contains("'temperature' is not supported"), temperature.getMessage());
      assertEquals("stream_not_found", unknown.code().orElseThrow());
      assertEquals("stream_not_found", malformed.code().orElseThrow());
    });
    ctx.completeNow();
  }
}
