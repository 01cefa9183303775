package dev.streamhub.bench.scenario;

import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.EventFields;
import dev.streamhub.bench.load.Reading;
import dev.streamhub.bench.load.StreamListener;
import dev.streamhub.bench.measure.OffsetCheck;
import dev.streamhub.bench.measure.Recorder;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** One reader of one stream: checks offsets, records token latencies, notes how the stream ended. */
final class StreamReader implements StreamListener {

  final String stream;
  final Recorder recorder;
  final OffsetCheck check;
  final Promise<Void> opened = Promise.promise();
  final long requestedAt = Clock.micros();
  private final Histogram openTimes;
  /** Relay mode: deltas carry the load generator's send time as {@code t} in their data. */
  private final boolean sentTimes;
  Reading reading;
  long openedAt = -1;
  long firstTokenAt = -1;
  long lastTokenAt = -1;
  long tokens;
  long completionTokens = -1;
  long eventsWithoutId;
  /** Payload bytes received (what the transport reports; no HTTP headers). */
  long bytes;
  /** Compact reads: snapshots received, and the UTF-8 bytes of the text they and the deltas carried. */
  long snapshots;
  long snapshotTextBytes;
  String terminal;
  String failure;

  StreamReader(String stream, long from, Recorder recorder, Histogram openTimes, boolean sentTimes) {
    this.stream = stream;
    this.sentTimes = sentTimes;
    this.recorder = recorder;
    this.openTimes = openTimes;
    this.check = new OffsetCheck(from);
  }

  @Override
  public void onOpen(long atMicros) {
    openedAt = atMicros;
    openTimes.recordValue(Math.max(0, atMicros - requestedAt));
    opened.tryComplete();
  }

  @Override
  public void onBytes(long n) {
    bytes += n;
  }

  @Override
  public void onEvent(long offset, String type, long ts, String data, long atMicros) {
    if (offset < 0) {
      eventsWithoutId++;
    } else if (type.equals("snapshot")) {
      // a compact read's catch-up stands for the offsets from..to ({"data":{"text",..,"from","to"}})
      long from = EventFields.firstNumber(data, "from");
      for (long o = from; o <= offset; o++) {
        check.accept(o);
      }
      snapshots++;
      snapshotTextBytes += io.netty.buffer.ByteBufUtil.utf8Bytes(
          new JsonObject(data).getJsonObject("data").getString("text", ""));
      tokens += offset - from + 1;
      if (firstTokenAt < 0) {
        firstTokenAt = atMicros;
      }
      lastTokenAt = atMicros;
      return;
    } else {
      check.accept(offset);
    }
    switch (type) {
      case "delta":
        recorder.token(ts, atMicros, openedAt);
        if (sentTimes) {
          long sent = EventFields.firstNumber(data, RelayPublisher.SENT_FIELD);
          if (sent > 0) {
            recorder.sent(sent, atMicros);
          }
        }
        tokens++;
        if (firstTokenAt < 0) {
          firstTokenAt = atMicros;
        }
        lastTokenAt = atMicros;
        break;
      case "usage":
        completionTokens = new JsonObject(data).getJsonObject("data").getLong("completion_tokens", -1L);
        break;
      case "done":
      case "error":
      case "cancelled":
        terminal = type;
        if (!type.equals("done")) {
          failure = type + ": " + data;
        }
        break;
      default:
        break;
    }
  }

  boolean ended() {
    return terminal != null;
  }
}
