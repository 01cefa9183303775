package dev.streamhub.streamlog.memory;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Micros;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamRing;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The single-node store: a bounded ring of events per stream, in this JVM's heap.
 *
 * <p>Any event loop may call it, so each stream's state is guarded by its own monitor. The critical
 * sections are an array store or copy of at most one page, never I/O, so the lock is uncontended in
 * practice (one writer per stream) and cheaper than hopping to a dedicated context per call.
 */
public final class MemoryStreamLog implements StreamLog {

  private final StreamLogConfig config;
  private final LongSupplier clockMicros;
  private final ConcurrentMap<String, MemoryStream> streams = new ConcurrentHashMap<>();

  public MemoryStreamLog(StreamLogConfig config) {
    this(config, Micros::now);
  }

  /** With a clock, in microseconds since the epoch, that tests can move. */
  public MemoryStreamLog(StreamLogConfig config, LongSupplier clockMicros) {
    this.config = config;
    this.clockMicros = clockMicros;
  }

  @Override
  public Future<StreamMeta> create(StreamMeta meta) {
    MemoryStream stream = new MemoryStream(meta, config.maxEventsPerStream());
    if (streams.putIfAbsent(meta.id(), stream) != null) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "stream '" + meta.id() + "' already exists"));
    }
    return Future.succeededFuture(meta);
  }

  @Override
  public Future<List<Event>> append(String id, List<NewEvent> events) {
    try {
      return Future.succeededFuture(stream(id).append(events, clockMicros.getAsLong()));
    } catch (HubException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<ReadResult> read(String id, long from, int max) {
    if (max < 1) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "max must be at least 1"));
    }
    try {
      return Future.succeededFuture(stream(id).read(from, max));
    } catch (HubException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<StreamMeta> meta(String id) {
    try {
      return Future.succeededFuture(stream(id).meta());
    } catch (HubException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Integer> expire() {
    long nowMs = clockMicros.getAsLong() / 1000;
    int before = streams.size();
    streams.values().removeIf(s -> s.meta().expiredAt(nowMs, config.retentionSeconds() * 1000, config.maxAgeSeconds() * 1000));
    return Future.succeededFuture(before - streams.size());
  }

  @Override
  public Future<Void> close() {
    streams.clear();
    return Future.succeededFuture();
  }

  private MemoryStream stream(String id) {
    MemoryStream stream = streams.get(id);
    if (stream == null) {
      throw HubException.streamNotFound(id);
    }
    return stream;
  }

  /** One stream's ring, behind its own monitor. */
  private static final class MemoryStream {
    private final StreamRing ring;

    MemoryStream(StreamMeta created, int capacity) {
      this.ring = new StreamRing(created, capacity);
    }

    synchronized List<Event> append(List<NewEvent> events, long nowMicros) {
      return ring.append(events, nowMicros);
    }

    synchronized ReadResult read(long from, int max) {
      return ring.read(from, max);
    }

    synchronized StreamMeta meta() {
      return ring.meta();
    }
  }
}
