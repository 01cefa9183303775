package dev.streamhub.ops.metrics;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@link StreamLog} that times every operation of the one it wraps:
 * {@code streamhub_store_operation_seconds{store,op}} (a histogram) and
 * {@code streamhub_store_errors_total{store,op}} for the failed ones ({@code op}: create, append,
 * read, meta, expire, ping). Results and failures pass through unchanged.
 */
final class MeteredStreamLog implements StreamLog {

  private static final Duration[] BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
      Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2)};

  private final StreamLog log;
  private final Op create;
  private final Op append;
  private final Op read;
  private final Op meta;
  private final Op expire;
  private final Op ping;

  MeteredStreamLog(StreamLog log, String store, MeterRegistry registry) {
    this.log = log;
    this.create = new Op(registry, store, "create");
    this.append = new Op(registry, store, "append");
    this.read = new Op(registry, store, "read");
    this.meta = new Op(registry, store, "meta");
    this.expire = new Op(registry, store, "expire");
    this.ping = new Op(registry, store, "ping");
  }

  /** One operation's timer and error counter. */
  private static final class Op {
    private final Timer timer;
    private final Counter errors;

    Op(MeterRegistry registry, String store, String op) {
      this.timer = Timer.builder("streamhub.store.operation").tag("store", store).tag("op", op)
          .description("Stream log operations, by store and operation").serviceLevelObjectives(BUCKETS).register(registry);
      this.errors = Counter.builder("streamhub.store.errors").tag("store", store).tag("op", op)
          .description("Stream log operations that failed (any error code, timeouts included)").register(registry);
    }

    <T> Future<T> time(Supplier<Future<T>> call) {
      long start = System.nanoTime();
      Future<T> result;
      try {
        result = call.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.andThen(done -> {
        timer.record(Duration.ofNanos(System.nanoTime() - start));
        if (done.failed()) {
          errors.increment();
        }
      });
    }
  }

  @Override
  public Future<StreamMeta> create(StreamMeta m) {
    return create.time(() -> log.create(m));
  }

  @Override
  public Future<List<Event>> append(String stream, List<NewEvent> events) {
    return append.time(() -> log.append(stream, events));
  }

  @Override
  public Future<ReadResult> read(String stream, long from, int max) {
    return read.time(() -> log.read(stream, from, max));
  }

  @Override
  public Future<StreamMeta> meta(String stream) {
    return meta.time(() -> log.meta(stream));
  }

  @Override
  public Future<Integer> expire() {
    return expire.time(log::expire);
  }

  @Override
  public Future<Void> ping() {
    return ping.time(log::ping);
  }

  @Override
  public Future<Void> close() {
    return log.close();
  }
}
