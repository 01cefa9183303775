package dev.streamhub.worker;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decodes a {@code text/event-stream} body as it arrives: hands the {@code data} of each event
 * (its {@code data:} lines joined by newlines) to a consumer. Comments, {@code event:}, {@code id:}
 * and {@code retry:} lines are skipped; CRLF and LF line ends are both accepted. A line longer than
 * the limit is reported to the overflow handler and decoding stops.
 */
final class SseDecoder implements Handler<Buffer> {

  private final int maxLineBytes;
  private final Consumer<String> onData;
  private final Runnable onOverflow;
  private Buffer pending = Buffer.buffer();
  private StringBuilder data;
  private boolean stopped;

  SseDecoder(int maxLineBytes, Consumer<String> onData, Runnable onOverflow) {
    this.maxLineBytes = maxLineBytes;
    this.onData = onData;
    this.onOverflow = onOverflow;
  }

  @Override
  public void handle(Buffer chunk) {
    if (stopped) {
      return;
    }
    pending.appendBuffer(chunk);
    int start = 0;
    for (int i = 0; i < pending.length() && !stopped; i++) {
      if (pending.getByte(i) == '\n') {
        int end = i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i;
        line(pending.getString(start, end, StandardCharsets.UTF_8.name()));
        start = i + 1;
      }
    }
    pending = start == 0 ? pending : pending.getBuffer(start, pending.length());
    if (pending.length() > maxLineBytes && !stopped) {
      stopped = true;
      onOverflow.run();
    }
  }

  /** Stops decoding: nothing more is handed on. */
  void stop() {
    stopped = true;
  }

  private void line(String line) {
    if (line.isEmpty()) {
      if (data != null) {
        String event = data.toString();
        data = null;
        onData.accept(event);
      }
      return;
    }
    if (!line.startsWith("data:")) {
      return;
    }
    String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
  }
}
