package dev.streamhub.subscribe;

import io.vertx.core.json.JsonObject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.TestHubs;
import dev.streamhub.cluster.Addresses;
import dev.streamhub.broker.Broker;
import dev.streamhub.broker.Fanout;
import dev.streamhub.broker.LocalBroker;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamWriter;
import dev.streamhub.streamlog.memory.MemoryStreamLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replay-then-live algorithm against a real memory log and the local event bus, with a test
 * {@link Sink}. Log reads are delayed by a timer so that live events really arrive mid-replay.
 * The log remembers every offset a read returned, so a sink knows which events it was sent that no
 * read of the log had returned yet: those can only have come by the live path ({@link RecordingSink#live}).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SubscriptionTest {

  private static final int BATCH = 8;

  private Vertx vertx;
  private Context context;
  private DelayedReads log;
  private StreamWriter writer;
  private Broker broker;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    context = vertx.getOrCreateContext();
    broker = new LocalBroker(vertx);
    log = new DelayedReads(vertx, new MemoryStreamLog(StreamLogConfig.defaults()));
    writer = new StreamWriter(log, broker);
  }

  @Nested
  class ReplayThenLive {

    @Test
    void deliversEventsAppendedDuringReplayWithoutGapOrDuplicate(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink(log);
      on(() -> newStream(30).compose(id -> {
        sink.onSend = e -> {
          long o = e.offset();
          if (o == 3 || o == 11 || o == 19) {
            writeDeltas(id, 5, "during-" + o + "-");
          } else if (o == 44) {
            vertx.setTimer(5, t -> writer.write(id, deltas(10, "live-"))
                .compose(x -> writer.write(id, NewEvent.done("stop"))));
          }
        };
        return open(id, 0, sink).compose(s -> sink.ended.future()).compose(received -> readLog(id).map(all -> {
          assertEquals(56, all.size());
          assertEquals(all, received);
          assertTrue(sink.live.containsAll(offsets(45, 56)), "written once the replay was over, 45..55 arrived live: " + sink.live);
          return all;
        }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void overflowingTheLiveBufferDuringReplayRereadsTheLog(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      on(() -> newStream(30).compose(id -> {
        sink.onSend = e -> {
          if (e.offset() == 3) {
            writeDeltas(id, 600, "burst-");
          } else if (e.offset() == 629) {
            writer.write(id, NewEvent.done("stop"));
          }
        };
        return open(id, 0, sink).compose(s -> sink.ended.future()).compose(received -> readLog(id).map(all -> {
          assertEquals(631, all.size());
          assertEquals(all, received);
          assertEquals(Subscription.MAX_BUFFERED, sink.maxBuffered, "the burst should fill the bounded buffer, and no more");
          return all;
        }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void startsFromTheRequestedOffsetAndGoesLiveAtTheEnd(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink(log);
      on(() -> newStream(5).compose(id -> log.meta(id).map(meta -> {
        assertFalse(meta.finished(), "the stream is still being written when the reader starts at 2");
        return id;
      })).compose(id -> {
        sink.onSend = e -> {
          if (e.offset() == 4) {
            vertx.setTimer(5, t -> writer.write(id, List.of(NewEvent.delta("live"), NewEvent.done("stop"))));
          }
        };
        return open(id, 2, sink).compose(s -> sink.ended.future()).compose(received -> readLog(id).map(all -> {
          assertEquals(all.subList(2, 7), received);
          assertEquals(offsets(5, 7), sink.live, "2..4 from the log, then 5 and 6 live");
          assertEquals(1, sink.begins);
          return all;
        }));
      })).onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Heartbeat {

    /**
     * Events that reach the log but never the live path (a subscriber the cluster's event bus did
     * not know of yet) are read from the log on the next heartbeat, once, in order.
     */
    @Test
    void aQuietLiveSubscriptionReadsWhatTheLivePathMissedOnItsNextHeartbeat(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      on(() -> newStream(3).compose(id -> open(id, 0, sink)
          .compose(s -> TestHubs.eventually(vertx, 5, 200, () -> Future.succeededFuture(sink.received.size() == 3)).map(s))
          // appended to the log only: no live publication
          .compose(s -> log.append(id, List.of(NewEvent.delta("missed-0"), NewEvent.delta("missed-1"))).map(s))
          .compose(s -> TestHubs.delay(vertx, 50).map(s))
          .compose(s -> {
            assertEquals(3, sink.received.size(), "nothing arrives without a publication");
            s.heartbeat();
            return TestHubs.eventually(vertx, 5, 200, () -> Future.succeededFuture(sink.received.size() == 5)).map(s);
          })
          .compose(s -> {
            // heard nothing since: the next heartbeat reads again, finds nothing new, sends nothing twice
            s.heartbeat();
            return log.append(id, List.of(NewEvent.done("stop"))).compose(x -> {
              s.heartbeat();
              return sink.ended.future();
            });
          })
          .compose(received -> readLog(id).map(all -> {
            assertEquals(all, received);
            assertEquals(6, received.size());
            return all;
          })))).onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class BackPressure {

    @Test
    void slowSinkReceivesEveryOffsetInOrderAndNothingIsBufferedWhilePaused(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      List<Integer> bufferedWhilePaused = new ArrayList<>();
      on(() -> newStream(20).compose(id -> {
        sink.onSend = e -> {
          if (e.offset() == 10) {
            sink.full = true;
            writeDeltas(id, 1000, "while-full-");
            vertx.setTimer(30, t -> {
              bufferedWhilePaused.add(sink.subscription.bufferedCount());
              sink.full = false;
              Handler<Void> drain = sink.drain;
              sink.drain = null;
              drain.handle(null);
            });
          } else if (e.offset() == 1019) {
            writer.write(id, NewEvent.done("stop"));
          }
        };
        return open(id, 0, sink).compose(s -> sink.ended.future()).compose(received -> readLog(id).map(all -> {
          assertEquals(1021, all.size());
          assertEquals(all, received);
          assertEquals(0, sink.sentWhileFull, "events were pushed into a full sink");
          assertEquals(List.of(0), bufferedWhilePaused);
          assertTrue(sink.maxBuffered <= Subscription.MAX_BUFFERED, "buffered " + sink.maxBuffered);
          return all;
        }));
      })).onComplete(ctx.succeedingThenComplete());
    }
  }

  /** {@code compact=true}: each catch-up from the log is one snapshot; live events are sent as they are. */
  @Nested
  class Compact {

    @Test
    void theReplayIsOneSnapshotAndASlowSinkGetsWhatItMissedAsOneSnapshotPerCatchUp(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink(log);
      on(() -> newStream(20).compose(id -> {
        sink.onSend = e -> {
          if (e.offset() == 19) {
            writeDeltas(id, 5, "live-"); // after the replay: live events, sent as they are
          } else if (e.offset() == 22) {
            // the write queue fills: 1,002 deltas are logged meanwhile, then it drains
            sink.full = true;
            writeDeltas(id, 1000, "while-full-");
            // (on a later task: the subscription registers its drain handler after this send returns)
            TestHubs.eventually(vertx, 5, 2_000, () -> log.meta(id).map(meta -> meta.nextOffset() == 1025))
                .onSuccess(v -> vertx.runOnContext(x -> {
                  sink.full = false;
                  Handler<Void> drain = sink.drain;
                  sink.drain = null;
                  drain.handle(null);
                }));
          } else if (e.offset() == 1024) {
            writer.write(id, NewEvent.done("stop"));
          }
        };
        return Subscription.open(new Fanout(broker), log, id, 0, BATCH, true, sink)
            .compose(s -> {
              sink.subscription = s;
              return sink.ended.future();
            })
            .compose(received -> readLog(id).map(all -> {
              assertEquals(List.of("snapshot@19", "delta@20", "delta@21", "delta@22", "snapshot@1024", "done@1025"),
                  received.stream().map(e -> e.type().wire() + "@" + e.offset()).collect(Collectors.toList()));
              assertEquals(snapshotOf(all, 0, 19), received.get(0).data());
              assertEquals(snapshotOf(all, 23, 1024), received.get(4).data());
              assertEquals(all.subList(20, 23), received.subList(1, 4));
              // the deltas written after the replay, and done (written as the last catch-up was sent), came live
              assertEquals(List.of(20L, 21L, 22L, 1025L), sink.live, "live; the rest from the log");
              assertEquals(all.get(1025), received.get(5));
              assertEquals(all.get(1024).ts(), received.get(4).ts());
              assertEquals(0, sink.sentWhileFull, "events were pushed into a full sink");
              return all;
            }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void nextNeverCountsMergedDeltasNotSentYet(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      on(() -> newStream(20).compose(id -> Subscription.open(new Fanout(broker), log, id, 5, BATCH, true, sink).compose(s -> {
        // the first page (5..12) is merged and the next one being read: nothing sent, next still 5
        assertEquals(List.of(), sink.received);
        assertEquals(5, s.next());
        return TestHubs.eventually(vertx, 5, 1_000, () -> Future.succeededFuture(!sink.received.isEmpty())).map(v -> {
          assertEquals(List.of("snapshot@19"), sink.received.stream().map(e -> e.type().wire() + "@" + e.offset()).collect(Collectors.toList()));
          assertEquals(20, s.next());
          return s.close();
        });
      }))).onComplete(ctx.succeedingThenComplete());
    }
  }

  private static JsonObject snapshotOf(List<Event> log, int from, int to) {
    StringBuilder text = new StringBuilder();
    for (Event e : log.subList(from, to + 1)) {
      text.append(e.data().getString("text"));
    }
    return new JsonObject().put("text", text.toString()).put("from", (long) from).put("to", (long) to);
  }

  @Nested
  class SharedFeed {

    @Test
    void subscriptionsOfOneStreamShareOneConsumerAndEachGetsEveryOffsetOnce(VertxTestContext ctx) {
      Fanout feeds = new Fanout(broker);
      List<RecordingSink> sinks = List.of(new RecordingSink(log), new RecordingSink(log), new RecordingSink(log), new RecordingSink(log));
      long[] froms = {0, 5, 12, 0};
      List<Integer> feedsWhileAllOpen = new ArrayList<>();
      int[] caughtUp = {0};
      on(() -> newStream(10).compose(id -> {
        // once all four have read the log to its end (offset 29), the rest is written: it can only reach them live
        Consumer<Event> writeTheRestOnceAllCaughtUp = e -> {
          if (e.offset() == 29 && ++caughtUp[0] == sinks.size()) {
            vertx.setTimer(5, t -> {
              feedsWhileAllOpen.add(feeds.streams());
              writeDeltas(id, 10, "live-");
              writer.write(id, NewEvent.done("stop"));
            });
          }
        };
        sinks.get(0).onSend = e -> {
          if (e.offset() == 2) {
            writeDeltas(id, 20, "during-");
            Subscription.open(feeds, log, id, froms[1], BATCH, sinks.get(1));
          } else if (e.offset() == 15) {
            Subscription.open(feeds, log, id, froms[2], BATCH, sinks.get(2));
            Subscription.open(feeds, log, id, froms[3], BATCH, sinks.get(3));
          }
          writeTheRestOnceAllCaughtUp.accept(e);
        };
        for (RecordingSink later : sinks.subList(1, sinks.size())) {
          later.onSend = writeTheRestOnceAllCaughtUp;
        }
        return Subscription.open(feeds, log, id, 0, BATCH, sinks.get(0))
            .compose(s -> Future.all(sinks.stream().map(sink -> sink.ended.future()).collect(Collectors.toList())))
            .compose(all -> readLog(id).map(logged -> {
              assertEquals(41, logged.size());
              for (int i = 0; i < sinks.size(); i++) {
                assertEquals(logged.subList((int) froms[i], logged.size()), sinks.get(i).received, "subscription " + i + " from " + froms[i]);
                assertTrue(sinks.get(i).live.containsAll(offsets(30, 41)), "subscription " + i + ": 30..40 arrived live: " + sinks.get(i).live);
              }
              assertEquals(List.of(1), feedsWhileAllOpen, "one consumer for the four subscriptions");
              assertEquals(0, feeds.streams(), "the last one to end unregistered it");
              return logged;
            }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void aSubscriptionClosedWhileABatchIsHandedOutCostsTheOthersNothing(VertxTestContext ctx) {
      Fanout feeds = new Fanout(broker);
      RecordingSink leaving = new RecordingSink(log);
      RecordingSink second = new RecordingSink(log);
      RecordingSink third = new RecordingSink(log);
      on(() -> newStream(0).compose(id -> {
        leaving.onSend = e -> {
          if (e.offset() == 12) {
            leaving.subscription.close();
          }
        };
        return Subscription.open(feeds, log, id, 0, BATCH, leaving)
            .compose(s -> {
              leaving.subscription = s;
              return Subscription.open(feeds, log, id, 0, BATCH, second);
            })
            .compose(s -> Subscription.open(feeds, log, id, 0, BATCH, third))
            .compose(s -> {
              writeDeltas(id, 20, "live-");
              writer.write(id, NewEvent.done("stop"));
              return Future.all(second.ended.future(), third.ended.future());
            })
            .compose(all -> readLog(id).map(logged -> {
              assertEquals(21, logged.size());
              assertEquals(logged.subList(0, 13), leaving.received);
              assertEquals(logged, second.received);
              assertEquals(logged, third.received);
              // all three had read the empty log before anything was written: every event came live
              assertEquals(offsets(0, 13), leaving.live);
              assertEquals(offsets(0, 21), second.live);
              assertEquals(offsets(0, 21), third.live);
              assertEquals(0, feeds.streams());
              return logged;
            }));
      })).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void theLastToLeaveUnregistersTheConsumerAndTheNextOneRegistersAgain(VertxTestContext ctx) {
      Fanout feeds = new Fanout(broker);
      RecordingSink first = new RecordingSink();
      RecordingSink later = new RecordingSink(log);
      on(() -> newStream(3).compose(id -> Subscription.open(feeds, log, id, 0, BATCH, first)
          .compose(Subscription::close)
          .compose(closed -> {
            assertEquals(0, feeds.streams());
            return vertx.eventBus().request(Addresses.stream(id), "anyone?", new DeliveryOptions().setSendTimeout(2000))
                .transform(ar -> {
                  assertTrue(ar.failed());
                  assertEquals(ReplyFailure.NO_HANDLERS, assertInstanceOf(ReplyException.class, ar.cause()).failureType());
                  return Subscription.open(feeds, log, id, 0, BATCH, later);
                });
          })
          .compose(s -> {
            assertEquals(1, feeds.streams());
            writer.write(id, List.of(NewEvent.delta("live"), NewEvent.done("stop")));
            return later.ended.future();
          })
          .compose(received -> readLog(id).map(logged -> {
            assertEquals(logged, received);
            assertEquals(offsets(3, 5), later.live, "0..2 from the log, then 3 and 4 live");
            assertEquals(logged.subList(0, 3), first.received);
            return logged;
          })))).onComplete(ctx.succeedingThenComplete());
    }
  }

  @Nested
  class Opening {

    @Test
    void sendsNothingWhenTheStreamEndedBeforeTheOffset(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      on(() -> newStream(3).compose(id -> writer.write(id, NewEvent.done("stop"))
          .compose(x -> Subscription.open(new Fanout(broker), log, id, 4, BATCH, sink))
          .map(s -> {
            assertTrue(s.nothingToSend());
            assertEquals(0, sink.begins);
            assertEquals(List.of(), sink.received);
            return s;
          }))).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void failsBeforeBeginningOnBadOffsetExpiredOffsetAndUnknownStream(VertxTestContext ctx) {
      RecordingSink sink = new RecordingSink();
      StreamLog small = new MemoryStreamLog(StreamLogConfig.defaults().withMaxEventsPerStream(4));
      StreamWriter smallWriter = new StreamWriter(small, broker);
      String id = StreamIds.next();
      on(() -> small.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis()))
          .compose(x -> smallWriter.write(id, deltas(10, "d")))
          .compose(x -> expectOpenError(small, id, 11, sink, ErrorCode.BAD_OFFSET))
          .compose(x -> expectOpenError(small, id, 5, sink, ErrorCode.OFFSET_EXPIRED))
          .compose(x -> expectOpenError(small, StreamIds.next(), 0, sink, ErrorCode.STREAM_NOT_FOUND))
          .map(x -> {
            assertEquals(0, sink.begins);
            assertEquals(List.of(), sink.received);
            assertNull(sink.failure);
            return x;
          })).onComplete(ctx.succeedingThenComplete());
    }

    private Future<Void> expectOpenError(StreamLog target, String id, long from, Sink sink, ErrorCode code) {
      return Subscription.open(new Fanout(broker), target, id, from, BATCH, sink).transform(ar -> {
        assertTrue(ar.failed(), "opening at " + from + " should fail with " + code.code());
        assertEquals(code, assertInstanceOf(HubException.class, ar.cause()).code());
        return Future.succeededFuture();
      });
    }
  }

  // --- helpers ---

  /** Runs {@code action} on the test's event-loop context, where subscriptions and writers live. */
  private <T> Future<T> on(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  private Future<Subscription> open(String id, long from, RecordingSink sink) {
    return Subscription.open(new Fanout(broker), log, id, from, BATCH, sink).map(s -> {
      sink.subscription = s;
      return s;
    });
  }

  private Future<String> newStream(int deltas) {
    String id = StreamIds.next();
    return log.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis()))
        .compose(meta -> deltas == 0 ? Future.succeededFuture() : writer.write(id, deltas(deltas, "d")))
        .map(id);
  }

  private static List<NewEvent> deltas(int n, String prefix) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(NewEvent.delta(prefix + i));
    }
    return events;
  }

  /** {@code n} appends of one event each: {@code n} separate live publications. */
  private void writeDeltas(String id, int n, String prefix) {
    for (int i = 0; i < n; i++) {
      writer.write(id, NewEvent.delta(prefix + i));
    }
  }

  private static List<Long> offsets(long from, long toExclusive) {
    return LongStream.range(from, toExclusive).boxed().collect(Collectors.toList());
  }

  private Future<List<Event>> readLog(String id) {
    return log.read(id, 0, 100_000).map(ReadResult::events);
  }

  /** Records what a subscription does to it; can pretend its write queue is full. */
  static final class RecordingSink implements Sink {
    final List<Event> received = new ArrayList<>();
    /**
     * Offsets sent to this sink that no read of {@link #log} had returned when they were sent: they
     * came by the live path (an event a read had returned may still have come live; it is not counted).
     */
    final List<Long> live = new ArrayList<>();
    private final DelayedReads log;
    final Promise<List<Event>> ended = Promise.promise();
    Consumer<Event> onSend = e -> {};
    Subscription subscription;
    HubException failure;
    Handler<Void> drain;
    boolean full;
    int begins;
    int sentWhileFull;
    int maxBuffered;

    RecordingSink() {
      this(null);
    }

    /** A sink that tells live events from replayed ones by what {@code log} has returned to reads. */
    RecordingSink(DelayedReads log) {
      this.log = log;
    }

    @Override
    public void begin() {
      begins++;
    }

    @Override
    public void send(Event event) {
      if (full) {
        sentWhileFull++;
      }
      if (subscription != null) {
        maxBuffered = Math.max(maxBuffered, subscription.bufferedCount());
      }
      received.add(event);
      if (log != null && !log.served(event.stream(), event.offset())) {
        live.add(event.offset());
      }
      onSend.accept(event);
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
      drain = handler;
    }

    @Override
    public void end() {
      ended.tryComplete(List.copyOf(received));
    }

    @Override
    public void fail(HubException error) {
      failure = error;
      ended.tryFail(error);
    }
  }

  /**
   * A log whose reads answer on a 1 ms timer, as a remote store would, so live events interleave;
   * it remembers every offset a read returned.
   */
  static final class DelayedReads implements StreamLog {
    private final Vertx vertx;
    private final StreamLog delegate;
    private final Set<String> served = ConcurrentHashMap.newKeySet();

    DelayedReads(Vertx vertx, StreamLog delegate) {
      this.vertx = vertx;
      this.delegate = delegate;
    }

    @Override
    public Future<StreamMeta> create(StreamMeta meta) {
      return delegate.create(meta);
    }

    @Override
    public Future<List<Event>> append(String stream, List<NewEvent> events) {
      return delegate.append(stream, events);
    }

    @Override
    public Future<ReadResult> read(String stream, long from, int max) {
      Promise<Void> later = Promise.promise();
      vertx.setTimer(1, t -> later.complete());
      return later.future().compose(v -> delegate.read(stream, from, max)).map(page -> {
        page.events().forEach(e -> served.add(e.stream() + "/" + e.offset()));
        return page;
      });
    }

    /** True when a read has returned {@code stream}'s event at {@code offset}. */
    boolean served(String stream, long offset) {
      return served.contains(stream + "/" + offset);
    }

    @Override
    public Future<StreamMeta> meta(String stream) {
      return delegate.meta(stream);
    }

    @Override
    public Future<Integer> expire() {
      return delegate.expire();
    }

    @Override
    public Future<Void> close() {
      return delegate.close();
    }
  }
}
