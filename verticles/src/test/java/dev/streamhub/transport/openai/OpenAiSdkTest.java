package dev.streamhub.transport.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.streamhub.TestHubs;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java SDK against the hub with only its base URL changed. The SDK blocks, so
 * it runs on the JUnit thread (never an event loop), bounded by its own timeout and the class one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiSdkTest {

  private OpenAIClient openai;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx).onComplete(ctx.succeeding(hub -> {
      openai = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + hub.port() + "/v1")
          .apiKey("unused")
          .timeout(Duration.ofSeconds(10))
          .maxRetries(0)
          .build();
      ctx.completeNow();
    }));
  }

  @AfterEach
  void closeSdk() {
    openai.close();
  }

  private static ChatCompletionCreateParams params(String question, long seed) {
    return ChatCompletionCreateParams.builder().model("demo").addUserMessage(question).seed(seed).build();
  }

  @Test
  void streamedTextAccumulatedBySdkEqualsTheNonStreamingAnswer(VertxTestContext ctx) {
    ChatCompletionCreateParams params = params("does the official SDK work unchanged?", 1234L)
        .toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<String> pieces = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        accumulator.accumulate(chunk);
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(pieces::add));
      });
    }
    ChatCompletion streamed = accumulator.chatCompletion();
    ChatCompletion whole = openai.chat().completions().create(params("does the official SDK work unchanged?", 1234L));

    String text = streamed.choices().get(0).message().content().orElseThrow();
    ctx.verify(() -> {
      assertTrue(pieces.size() >= 24, "the demo model answers with at least 24 tokens, got " + pieces);
      assertEquals(String.join("", pieces), text);
      assertEquals(whole.choices().get(0).message().content().orElseThrow(), text);
      assertEquals(ChatCompletion.Choice.FinishReason.STOP, streamed.choices().get(0).finishReason());
      assertEquals(ChatCompletion.Choice.FinishReason.STOP, whole.choices().get(0).finishReason());
      assertEquals(pieces.size(), whole.usage().orElseThrow().completionTokens());
      assertEquals(whole.usage().orElseThrow().completionTokens(), streamed.usage().orElseThrow().completionTokens());
      assertEquals("demo", whole.model());
      assertTrue(whole.id().startsWith("chatcmpl-st_"), whole.id());
    });
    ctx.completeNow();
  }

  @Test
  void maxTokensEndsTheSdkStreamWithLength(VertxTestContext ctx) {
    ChatCompletionCreateParams params = params("cut me short", 5L).toBuilder().maxCompletionTokens(3).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    ChatCompletion whole = openai.chat().completions().create(params);
    ctx.verify(() -> {
      assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, accumulator.chatCompletion().choices().get(0).finishReason());
      assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, whole.choices().get(0).finishReason());
      assertEquals(whole.choices().get(0).message().content(), accumulator.chatCompletion().choices().get(0).message().content());
      assertEquals(3, whole.usage().orElseThrow().completionTokens());
    });
    ctx.completeNow();
  }

  @Test
  void unknownModelIsTheSdksNotFoundWithTheHubsCode(VertxTestContext ctx) {
    ChatCompletionCreateParams params = params("hi", 1L).toBuilder().model("no-such-model").build();
    NotFoundException error = assertThrows(NotFoundException.class, () -> openai.chat().completions().create(params));
    ctx.verify(() -> {
      assertEquals(404, error.statusCode());
      assertEquals("model_not_found", error.code().orElseThrow());
      assertEquals("invalid_request_error", error.type().orElseThrow());
    });
    ctx.completeNow();
  }
}
