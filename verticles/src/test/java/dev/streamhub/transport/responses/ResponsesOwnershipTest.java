package dev.streamhub.transport.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.streamhub.TestHubs;
import dev.streamhub.auth.Jwts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With auth on, a response is its creator's: through the official Java SDK (the token as its API
 * key), another principal's {@code previous_response_id} is 400 {@code previous_response_not_found}
 * (the body an unknown id gets), and retrieving, cancelling or deleting another principal's
 * response is 404 {@code stream_not_found}; the owner continues it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesOwnershipTest {

  private OpenAIClient alice;
  private OpenAIClient bob;

  @BeforeEach
  void startHub(Vertx vertx, VertxTestContext ctx) {
    TestHubs.start(vertx, new JsonObject().put("auth_hs256_secret", Jwts.SECRET).put("demo_answer_tokens", 20)).onComplete(ctx.succeeding(hub -> {
      alice = sdk(hub.port(), "alice");
      bob = sdk(hub.port(), "bob");
      ctx.completeNow();
    }));
  }

  private static OpenAIClient sdk(int port, String sub) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + port + "/v1")
        .apiKey(Jwts.hs256(Jwts.claims(sub, "read create", 300, null)))
        .timeout(Duration.ofSeconds(20))
        .maxRetries(0)
        .build();
  }

  @AfterEach
  void closeSdks() {
    alice.close();
    bob.close();
  }

  private static ResponseCreateParams params(String input, String previous) {
    ResponseCreateParams.Builder builder = ResponseCreateParams.builder().model("demo").input(input);
    return previous == null ? builder.build() : builder.previousResponseId(previous).build();
  }

  @Test
  void anotherPrincipalsResponseCannotBeContinuedOrRead(VertxTestContext ctx) {
    Response first = alice.responses().create(params("my name is Ada", null));
    BadRequestException continued = assertThrows(BadRequestException.class, () -> bob.responses().create(params("what did she say?", first.id())));
    NotFoundException read = assertThrows(NotFoundException.class, () -> bob.responses().retrieve(first.id()));
    NotFoundException cancelled = assertThrows(NotFoundException.class, () -> bob.responses().cancel(first.id()));
    NotFoundException deleted = assertThrows(NotFoundException.class, () -> bob.responses().delete(first.id()));
    Response second = alice.responses().create(params("what did I say?", first.id()));
    ctx.verify(() -> {
      assertEquals("previous_response_not_found", continued.code().orElseThrow());
      assertTrue(continued.getMessage().contains("Previous response with id '" + first.id() + "' not found."), continued.getMessage());
      assertEquals("stream_not_found", read.code().orElseThrow());
      assertEquals("stream_not_found", cancelled.code().orElseThrow());
      assertEquals("stream_not_found", deleted.code().orElseThrow());
      assertEquals(first.id(), second.previousResponseId().orElseThrow());
      String text = second.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text();
      assertTrue(text.startsWith("You asked: what did I say?. Turn 2; first you asked: my name is Ada."), text);
    });
    ctx.completeNow();
  }
}
