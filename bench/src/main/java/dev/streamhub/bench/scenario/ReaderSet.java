package dev.streamhub.bench.scenario;

import dev.streamhub.bench.load.Shard;
import dev.streamhub.bench.load.Transport;
import dev.streamhub.bench.measure.Recorder;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The readers of one shard and what they recorded. Only the shard's event loop touches it until
 * the scenario's future completed; the main thread then reads it.
 */
final class ReaderSet {

  final Shard shard;
  final Transport transport;
  final Recorder recorder;
  final List<StreamReader> readers = new ArrayList<>();
  final List<Future<Void>> done = new ArrayList<>();
  final List<String> errors = new ArrayList<>();
  /** Microseconds from sending a reader's request to its response headers. */
  final Histogram openTimes = new Histogram(3);
  /** Microseconds from sending {@code POST /v1/streams} to its 201, where the scenario creates streams. */
  final Histogram createTimes = new Histogram(3);
  int errorCount;
  /** Relay mode: readers also record the end-to-end latency from the send time in each delta. */
  boolean sentTimes;
  private long deadlineTimer = -1;

  ReaderSet(Shard shard, String transport, long originMicros) {
    this.shard = shard;
    this.transport = shard.transport(transport);
    this.recorder = new Recorder(originMicros);
  }

  /** Opens a reader of {@code stream} from {@code from}; returns it (its {@code opened} completes on 200). */
  StreamReader open(String stream, long from) {
    return open(stream, from, false);
  }

  /** As {@link #open(String, long)}; {@code compact} asks for the catch-up as one {@code snapshot} event. */
  StreamReader open(String stream, long from, boolean compact) {
    StreamReader reader = new StreamReader(stream, from, recorder, openTimes, sentTimes);
    readers.add(reader);
    reader.reading = transport.read(stream, from, compact, reader);
    Future<Void> finished = reader.reading.done().onFailure(err -> {
      reader.failure = String.valueOf(err.getMessage());
      reader.opened.tryFail(err);
      error("read " + stream + ": " + err.getMessage());
    });
    done.add(finished);
    return reader;
  }

  void error(String message) {
    errorCount++;
    if (errors.size() < 5) {
      errors.add(message);
    }
  }

  /** Cancels every reader still open once {@code millis} have passed, so a stuck run still ends. */
  void deadline(long millis) {
    deadlineTimer = shard.context().owner().setTimer(millis, id -> {
      for (StreamReader r : readers) {
        if (!r.ended()) {
          r.reading.cancel();
        }
      }
    });
  }

  /** Completes when every reader opened so far has finished (whatever the outcome); clears the deadline. */
  Future<ReaderSet> allDone() {
    return Future.join(new ArrayList<>(done)).transform(ignored -> {
      if (deadlineTimer >= 0) {
        shard.context().owner().cancelTimer(deadlineTimer);
      }
      return Future.succeededFuture(this);
    });
  }

  void cancelAll() {
    for (StreamReader r : readers) {
      r.reading.cancel();
    }
  }
}
