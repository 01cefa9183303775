package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClosedException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unrelated stream running alongside a bad-input case: started before it, read whole after it;
 * it must come out intact (offsets 0..n contiguous, one terminal {@code done}, the same answer its
 * seed always gives).
 */
public final class Bystander {

  /** The bystander's answer length: small, so that a token budget of a test leaves it alone. */
  public static final int MAX_TOKENS = 20;

  private final HubClient client;
  private final String authorization;
  private final String stream;

  private Bystander(HubClient client, String authorization, String stream) {
    this.client = client;
    this.authorization = authorization;
    this.stream = stream;
  }

  /** Starts a seeded generation; {@code token} may be null (auth off). */
  public static Bystander start(HubClient client, String token) {
    String authorization = token == null ? null : "Bearer " + token;
    var request = client.web().post(client.port(), "127.0.0.1", "/v1/streams");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    var response = request.sendJsonObject(TestHubs.chat("bystander", 7L).put("max_tokens", MAX_TOKENS)).timeout(20, TimeUnit.SECONDS).await();
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return new Bystander(client, authorization, response.bodyAsJsonObject().getString("stream"));
  }

  public String stream() {
    return stream;
  }

  /** Reads the whole stream and checks it: contiguous offsets from 0, ending with one {@code done}. */
  public void assertIntact() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    String uri = "/v1/streams/" + stream + "/events";
    // A GET is idempotent: sent on a kept-alive connection the hub closed as idle (a test with a short
    // http_header_timeout_ms closes it after that long without a request), it is sent again on a new
    // one, as HTTP clients do (RFC 9112, 9.3.1); the start's POST connection is then often that one.
    HubClient.SseResponseText text = client.readSse(uri, headers)
        .recover(err -> err instanceof HttpClosedException ? client.readSse(uri, headers) : Future.failedFuture(err))
        .timeout(20, TimeUnit.SECONDS).await();
    assertEquals(200, text.status(), text.body());
    List<SseFrame> frames = text.frames().stream().filter(f -> f.data() != null).toList();
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(String.valueOf(i), frames.get(i).id(), () -> "offsets of the bystander stream; the response: " + text.headers() + "\n" + text.body());
    }
    SseFrame last = frames.get(frames.size() - 1);
    assertEquals("done", last.event(), "the bystander ended with done: " + last.raw());
    for (SseFrame frame : frames.subList(0, frames.size() - 1)) {
      assertEquals(true, "delta".equals(frame.event()) || "usage".equals(frame.event()), "only deltas and usage before the end: " + frame.raw());
    }
  }
}
