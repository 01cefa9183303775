package dev.streamhub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's error table is {@link ErrorCode}'s, row for row; the close codes are RFC 6455's. */
class ErrorTableTest {

  static String section(String readme, String heading) {
    int start = readme.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "the README has no section " + heading);
    int end = readme.indexOf("\n## ", start + heading.length() + 2);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  @Test
  void theReadmeErrorTableIsGeneratedFromErrorCode() throws IOException {
    String errors = section(Files.readString(Path.of("..", "README.md")), "## Errors");
    assertTrue(errors.contains(ErrorCode.readmeTable()),
        "README.md's error table differs from ErrorCode; replace it with:\n" + ErrorCode.readmeTable());
  }

  @Test
  void closeCodesComeFromNettysTable() {
    assertEquals(1008, ErrorCode.UNAUTHORIZED.wsClose().code());
    assertEquals(1008, ErrorCode.FORBIDDEN.wsClose().code());
    assertEquals(1009, ErrorCode.PAYLOAD_TOO_LARGE.wsClose().code());
    assertEquals(1011, ErrorCode.INTERNAL_ERROR.wsClose().code());
    assertEquals(1012, ErrorCode.DRAINING.wsClose().code());
    assertEquals(1013, ErrorCode.RATE_LIMITED.wsClose().code());
    assertEquals(WebSocketCloseStatus.TRY_AGAIN_LATER, ErrorCode.RATE_LIMITED.wsClose());
  }

  @Test
  void onlyServerSideAndTransientFailuresAreRetryable() {
    List<ErrorCode> retryable = List.of(ErrorCode.values()).stream().filter(ErrorCode::retryable).toList();
    assertEquals(List.of(ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL_ERROR, ErrorCode.WORKER_LOST, ErrorCode.NO_WORKER_AVAILABLE,
        ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.UPSTREAM_ERROR, ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.DRAINING, ErrorCode.COMPLETION_TIMEOUT,
        ErrorCode.STORE_UNAVAILABLE),
        retryable);
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(code.status() >= 500 || code.status() == 429, code.retryable(), code.code());
    }
  }
}
