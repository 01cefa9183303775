package dev.streamhub.streamlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link StreamLog} contract every store passes. A store's test extends this class and only
 * says how to build a log from a config.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class StreamLogContract {

  /** A fresh, empty log of the store under test, configured by {@code config}. */
  protected abstract Future<StreamLog> newLog(Vertx vertx, StreamLogConfig config);

  private Future<StreamLog> newLog(Vertx vertx) {
    return newLog(vertx, StreamLogConfig.defaults());
  }

  /** Creates a stream, then appends {@code deltas} deltas one call each. */
  private static Future<String> streamWithDeltas(StreamLog log, int deltas) {
    String id = StreamIds.next();
    Future<?> chain = log.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis()));
    for (int i = 0; i < deltas; i++) {
      String text = "t" + i;
      chain = chain.compose(x -> log.append(id, List.of(NewEvent.delta(text))));
    }
    return chain.map(id);
  }

  private static List<Long> offsets(List<Event> events) {
    return events.stream().map(Event::offset).collect(Collectors.toList());
  }

  private static List<Long> range(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  private static <T> Future<HubException> expectError(Future<T> future, ErrorCode code) {
    return future.transform(ar -> {
      if (ar.succeeded()) {
        throw new AssertionError("expected " + code.code() + " but succeeded with " + ar.result());
      }
      HubException err = assertInstanceOf(HubException.class, ar.cause());
      assertEquals(code, err.code(), err.getMessage());
      return Future.succeededFuture(err);
    });
  }

  @Nested
  class Appending {

    @Test
    void assignsContiguousOffsetsFromZeroAcrossBatches(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 0).compose(id ->
          log.append(id, List.of(NewEvent.delta("a"), NewEvent.delta("b")))
              .compose(first -> {
                assertEquals(List.of(0L, 1L), offsets(first));
                assertEquals(List.of("a", "b"), first.stream().map(e -> e.data().getString("text")).collect(Collectors.toList()));
                assertTrue(first.stream().allMatch(e -> e.stream().equals(id) && e.ts() > 0));
                return log.append(id, List.of(NewEvent.delta("c")));
              })
              .compose(second -> {
                assertEquals(List.of(2L), offsets(second));
                return log.append(id, List.of(NewEvent.usage(3, 3), NewEvent.done("stop")));
              })
              .compose(third -> {
                assertEquals(List.of(3L, 4L), offsets(third));
                assertEquals(List.of(EventType.USAGE, EventType.DONE), third.stream().map(Event::type).collect(Collectors.toList()));
                return log.meta(id);
              })
              .map(meta -> {
                assertEquals(0, meta.firstOffset());
                assertEquals(5, meta.nextOffset());
                assertTrue(meta.finished());
                assertEquals("alice", meta.owner());
                assertEquals("demo", meta.model());
                return meta;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void refusesAppendAfterTerminalWithStreamFinished(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 2).compose(id ->
          log.append(id, List.of(NewEvent.cancelled("client")))
              .compose(x -> expectError(log.append(id, List.of(NewEvent.delta("late"))), ErrorCode.STREAM_FINISHED))
              .compose(x -> expectError(log.append(id, List.of(NewEvent.done("stop"))), ErrorCode.STREAM_FINISHED))
              .compose(x -> log.read(id, 0, 100))
              .map(page -> {
                assertEquals(List.of(0L, 1L, 2L), offsets(page.events()));
                assertEquals(EventType.CANCELLED, page.events().get(2).type());
                assertEquals(3, page.next());
                assertTrue(page.finished());
                return page;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void refusesTerminalNotLastInBatchAndAppendsNothing(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 1).compose(id ->
          expectError(log.append(id, List.of(NewEvent.done("stop"), NewEvent.delta("after"))), ErrorCode.BAD_REQUEST)
              .compose(x -> log.meta(id))
              .compose(meta -> {
                assertEquals(1, meta.nextOffset());
                assertFalse(meta.finished());
                return log.append(id, List.of(NewEvent.delta("next")));
              })
              .map(events -> {
                assertEquals(List.of(1L), offsets(events));
                return events;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void refusesDuplicateStreamIdWithBadRequest(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 1).compose(id ->
          expectError(log.create(StreamMeta.fresh(id, "bob", "demo", System.currentTimeMillis())), ErrorCode.BAD_REQUEST)
              .compose(x -> log.meta(id))
              .map(meta -> {
                assertEquals("alice", meta.owner());
                assertEquals(1, meta.nextOffset());
                return meta;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void failsOnUnknownStreamWithStreamNotFound(Vertx vertx, VertxTestContext ctx) {
      String unknown = StreamIds.next();
      newLog(vertx).compose(log ->
          expectError(log.append(unknown, List.of(NewEvent.delta("x"))), ErrorCode.STREAM_NOT_FOUND)
              .compose(x -> expectError(log.read(unknown, 0, 10), ErrorCode.STREAM_NOT_FOUND))
              .compose(x -> expectError(log.meta(unknown), ErrorCode.STREAM_NOT_FOUND)))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Reading {

    @Test
    void readsPagesOfAtMostMaxInOrder(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 10).compose(id ->
          log.read(id, 0, 4)
              .compose(p1 -> {
                assertEquals(range(0, 4), offsets(p1.events()));
                assertEquals(4, p1.next());
                assertFalse(p1.finished());
                return log.read(id, p1.next(), 4);
              })
              .compose(p2 -> {
                assertEquals(range(4, 8), offsets(p2.events()));
                return log.read(id, p2.next(), 4);
              })
              .map(p3 -> {
                assertEquals(range(8, 10), offsets(p3.events()));
                assertEquals(List.of("t8", "t9"), p3.events().stream().map(e -> e.data().getString("text")).collect(Collectors.toList()));
                assertEquals(10, p3.next());
                return p3;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void readsTheSameEventsEveryTime(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 5).compose(id ->
          log.read(id, 0, 100).compose(a -> log.read(id, 2, 100).map(b -> {
            assertEquals(a.events().subList(2, 5), b.events());
            return b;
          }))))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void readAtTheEndGivesAnEmptyPage(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 3).compose(id ->
          log.read(id, 3, 10)
              .compose(open -> {
                assertEquals(List.of(), open.events());
                assertEquals(3, open.next());
                assertFalse(open.finished());
                return log.append(id, List.of(NewEvent.done("stop"))).compose(x -> log.read(id, 4, 10));
              })
              .map(ended -> {
                assertEquals(List.of(), ended.events());
                assertEquals(4, ended.next());
                assertTrue(ended.finished());
                assertFalse(ended.reachedEnd());
                return ended;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void rejectsOffsetsBeyondTheEndOrNegativeWithBadOffset(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 3).compose(id ->
          expectError(log.read(id, 4, 10), ErrorCode.BAD_OFFSET)
              .compose(x -> expectError(log.read(id, -1, 10), ErrorCode.BAD_OFFSET))
              .compose(x -> expectError(log.read(id, Long.MIN_VALUE, 10), ErrorCode.BAD_OFFSET))))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Retention {

    @Test
    void expiresOffsetsBelowTheRetainedRangeButReadsTheRest(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx, StreamLogConfig.defaults().withMaxEventsPerStream(5)).compose(log -> streamWithDeltas(log, 12).compose(id ->
          log.meta(id)
              .compose(meta -> {
                assertEquals(7, meta.firstOffset());
                assertEquals(12, meta.nextOffset());
                return expectError(log.read(id, 0, 10), ErrorCode.OFFSET_EXPIRED);
              })
              .compose(x -> expectError(log.read(id, 6, 10), ErrorCode.OFFSET_EXPIRED))
              .compose(x -> log.read(id, 7, 10))
              .map(page -> {
                assertEquals(range(7, 12), offsets(page.events()));
                assertEquals(List.of("t7", "t8", "t9", "t10", "t11"),
                    page.events().stream().map(e -> e.data().getString("text")).collect(Collectors.toList()));
                return page;
              })))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void expireDropsFinishedStreamsAfterRetentionAndKeepsUnfinished(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx, StreamLogConfig.defaults().withRetentionSeconds(0)).compose(log ->
          streamWithDeltas(log, 2).compose(finished -> streamWithDeltas(log, 2).compose(open ->
              log.append(finished, List.of(NewEvent.done("stop")))
                  .compose(x -> log.expire())
                  .compose(dropped -> {
                    assertEquals(1, dropped);
                    return expectError(log.meta(finished), ErrorCode.STREAM_NOT_FOUND);
                  })
                  .compose(x -> expectError(log.read(finished, 0, 10), ErrorCode.STREAM_NOT_FOUND))
                  .compose(x -> log.read(open, 0, 10))
                  .map(page -> {
                    assertEquals(range(0, 2), offsets(page.events()));
                    return page;
                  }))))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  /**
   * The periodic sweep ({@link RetentionVerticle}) with {@code log_retention_seconds} and
   * {@code log_max_age_seconds} set: a finished stream is readable, then {@code stream_not_found}
   * once retention passed; an unfinished one once it is older than the maximum age. Never before
   * (asserted against the stream's own clock), and within a bounded wait after.
   */
  @Nested
  class PeriodicSweep {

    private static final long RETENTION_S = 1;
    private static final long MAX_AGE_S = 2;
    private static final long SWEEP_MS = 100;

    @Test
    void dropsAFinishedStreamAfterRetentionAndAnUnfinishedOneAfterTheMaximumAge(Vertx vertx) {
      StreamLogConfig defaults = StreamLogConfig.defaults();
      StreamLogConfig config = new StreamLogConfig(defaults.store(), RETENTION_S, defaults.maxEventsPerStream(), MAX_AGE_S,
          defaults.readBatch(), defaults.redisUrl(), defaults.redisTimeoutMs());
      StreamLog log = newLog(vertx, config).await();
      String finished = streamWithDeltas(log, 2).await();
      String open = streamWithDeltas(log, 2).await();
      long openCreated = log.meta(open).await().createdAt();
      log.append(finished, List.of(NewEvent.done("stop"))).await();
      long finishedAt = log.meta(finished).await().finishedAt();
      vertx.deployVerticle(new RetentionVerticle(log, SWEEP_MS)).await();

      // readable before
      assertEquals(range(0, 3), offsets(log.read(finished, 0, 10).await().events()));
      assertEquals(range(0, 2), offsets(log.read(open, 0, 10).await().events()));

      long finishedGone = goneAt(vertx, log, finished);
      assertTrue(finishedGone - finishedAt >= RETENTION_S * 1000 - 5,
          "dropped " + (finishedGone - finishedAt) + " ms after it finished, retention " + RETENTION_S + " s");
      long openGone = goneAt(vertx, log, open);
      assertTrue(openGone - openCreated >= MAX_AGE_S * 1000 - 5,
          "dropped " + (openGone - openCreated) + " ms after it was created, max age " + MAX_AGE_S + " s");
      expectError(log.read(open, 0, 10), ErrorCode.STREAM_NOT_FOUND).await();
      expectError(log.read(finished, 0, 10), ErrorCode.STREAM_NOT_FOUND).await();
    }

    /** Polls the stream's meta until it is {@code stream_not_found} (at most 20 s); the wall-clock time it first was. */
    private long goneAt(Vertx vertx, StreamLog log, String stream) {
      long[] at = new long[1];
      dev.streamhub.TestHubs.eventually(vertx, 20, 1000, () -> log.meta(stream).<Boolean>transform(ar -> {
        if (ar.succeeded()) {
          return Future.succeededFuture(false);
        }
        assertEquals(ErrorCode.STREAM_NOT_FOUND, HubException.of(ar.cause()).code(), ar.cause().getMessage());
        at[0] = System.currentTimeMillis();
        return Future.succeededFuture(true);
      })).await();
      return at[0];
    }
  }

  @Nested
  class Concurrency {

    private static final int APPENDERS = 4;
    private static final int APPENDS_EACH = 500;

    @Test
    void concurrentAppendersGetDistinctContiguousOffsets(Vertx vertx, VertxTestContext ctx) {
      newLog(vertx).compose(log -> streamWithDeltas(log, 0).compose(id -> {
        List<Future<List<Long>>> appenders = new ArrayList<>();
        for (int a = 0; a < APPENDERS; a++) {
          appenders.add(appendFromOwnContext(vertx, log, id, a));
        }
        return Future.all(appenders).compose(all -> readAll(log, id, 0, new ArrayList<>()).map(events -> {
          assertEquals(range(0, APPENDERS * APPENDS_EACH), offsets(events));
          for (int a = 0; a < APPENDERS; a++) {
            String prefix = a + ":";
            List<String> own = events.stream().map(e -> e.data().getString("text"))
                .filter(t -> t.startsWith(prefix)).collect(Collectors.toList());
            List<String> expected = IntStream.range(0, APPENDS_EACH).mapToObj(i -> prefix + i).collect(Collectors.toList());
            assertEquals(expected, own, "appender " + a + " events out of order");
            List<Long> acknowledged = appenders.get(a).result();
            List<Long> stored = events.stream().filter(e -> e.data().getString("text").startsWith(prefix))
                .map(Event::offset).collect(Collectors.toList());
            assertEquals(stored, acknowledged, "appender " + a + " was told other offsets than stored");
          }
          return events;
        }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    /**
     * Appends from a verticle, hence an event loop, of its own (4 verticles spread over the event-loop
     * threads, so appenders really run in parallel). Returns the offsets each append was acknowledged with.
     */
    private Future<List<Long>> appendFromOwnContext(Vertx vertx, StreamLog log, String id, int appender) {
      Promise<List<Long>> acknowledged = Promise.promise();
      VerticleBase verticle = new VerticleBase() {
        @Override
        public Future<?> start() {
          List<Future<List<Event>>> appends = new ArrayList<>();
          for (int i = 0; i < APPENDS_EACH; i++) {
            appends.add(log.append(id, List.of(NewEvent.delta(appender + ":" + i))));
          }
          Future.all(appends)
              .map(all -> appends.stream().map(f -> f.result().get(0).offset()).collect(Collectors.toList()))
              .onComplete(acknowledged);
          return Future.succeededFuture();
        }
      };
      return vertx.deployVerticle(verticle).compose(deployed -> acknowledged.future());
    }

    private Future<List<Event>> readAll(StreamLog log, String id, long from, List<Event> acc) {
      return log.read(id, from, 300).compose(page -> {
        acc.addAll(page.events());
        return page.events().isEmpty() ? Future.succeededFuture(acc) : readAll(log, id, page.next(), acc);
      });
    }
  }
}
