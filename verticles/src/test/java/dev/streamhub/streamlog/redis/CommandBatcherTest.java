package dev.streamhub.streamlog.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.ReadResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many streams' commands share round trips: 1,000 streams appending a token each cost a handful of batches, not 1,000. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandBatcherTest {

  private static final int STREAMS = 1000;
  /** The count depends on the flushes during submission (and a connection's script load), not on the streams; 1,000 without batching. */
  private static final long MAX_BATCHES = 20;

  private RedisServer redis;
  private Vertx vertx;

  @BeforeEach
  void start() {
    redis = RedisServer.startNew(false);
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    redis.close();
  }

  @Test
  void aThousandStreamsAppendingATokenEachShareAFewRoundTrips() throws Exception {
    RedisStreamLog log = (RedisStreamLog) RedisStreamLog.create(vertx, StreamLogConfig.defaults().withRedis(redis.url()), "batch:")
        .await(30, TimeUnit.SECONDS);
    List<String> ids = new ArrayList<>();
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      String id = StreamIds.next();
      ids.add(id);
      created.add(log.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis())));
    }
    Future.all(created).await(30, TimeUnit.SECONDS);

    long before = log.batcher().batchesSent();
    Promise<List<Future<List<Event>>>> submitted = Promise.promise();
    // from one event loop, as one token time of a busy worker verticle would
    vertx.runOnContext(v -> {
      List<Future<List<Event>>> appends = new ArrayList<>();
      ids.forEach(id -> appends.add(log.append(id, List.of(NewEvent.delta("tok")))));
      submitted.complete(appends);
    });
    List<Future<List<Event>>> appended = submitted.future().await(30, TimeUnit.SECONDS);
    Future.all(appended).await(30, TimeUnit.SECONDS);
    long batches = log.batcher().batchesSent() - before;

    assertTrue(batches >= 1 && batches <= MAX_BATCHES, STREAMS + " appends took " + batches + " round trips");
    List<Long> offsets = appended.stream().map(f -> f.result().get(0).offset()).collect(Collectors.toList());
    assertEquals(Collections.nCopies(STREAMS, 0L), offsets);
    assertEquals(1, log.meta(ids.get(STREAMS - 1)).await(30, TimeUnit.SECONDS).nextOffset());
  }

  @Test
  void appendsSentWithoutWaitingKeepEachStreamsOrder() throws Exception {
    int streams = 200;
    int rounds = 10;
    RedisStreamLog log = (RedisStreamLog) RedisStreamLog.create(vertx, StreamLogConfig.defaults().withRedis(redis.url()), "order:")
        .await(30, TimeUnit.SECONDS);
    List<String> ids = new ArrayList<>();
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      String id = StreamIds.next();
      ids.add(id);
      created.add(log.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis())));
    }
    Future.all(created).await(30, TimeUnit.SECONDS);

    // round r appends token r to every stream, none waiting for the previous: rounds spread over many batches of every lane
    Promise<List<List<Future<List<Event>>>>> submitted = Promise.promise();
    vertx.runOnContext(v -> {
      List<List<Future<List<Event>>>> perStream = new ArrayList<>();
      ids.forEach(id -> perStream.add(new ArrayList<>()));
      for (int r = 0; r < rounds; r++) {
        for (int s = 0; s < streams; s++) {
          perStream.get(s).add(log.append(ids.get(s), List.of(NewEvent.delta("t" + r))));
        }
      }
      submitted.complete(perStream);
    });
    List<List<Future<List<Event>>>> perStream = submitted.future().await(30, TimeUnit.SECONDS);
    List<Future<List<Event>>> all = new ArrayList<>();
    perStream.forEach(all::addAll);
    Future.all(all).await(30, TimeUnit.SECONDS);

    for (int s = 0; s < streams; s++) {
      for (int r = 0; r < rounds; r++) {
        assertEquals(r, perStream.get(s).get(r).result().get(0).offset(), "stream " + s + ", append " + r);
      }
      ReadResult read = log.read(ids.get(s), 0, rounds + 1).await(30, TimeUnit.SECONDS);
      List<String> texts = read.events().stream().map(e -> e.data().getString("text")).collect(Collectors.toList());
      List<String> expected = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        expected.add("t" + r);
      }
      assertEquals(expected, texts, "stream " + s);
    }
  }
  @Test
  void appendsJoinedInOneScriptRunAreAnsweredEachAndKeepOrderWithOtherCommands() throws Exception {
    RedisStreamLog log = (RedisStreamLog) RedisStreamLog.create(vertx, StreamLogConfig.defaults().withRedis(redis.url()), "join:")
        .await(30, TimeUnit.SECONDS);
    String open = StreamIds.next();
    String ended = StreamIds.next();
    log.create(StreamMeta.fresh(open, "alice", "demo", System.currentTimeMillis())).await(30, TimeUnit.SECONDS);
    log.create(StreamMeta.fresh(ended, "alice", "demo", System.currentTimeMillis())).await(30, TimeUnit.SECONDS);
    log.append(ended, List.of(NewEvent.done("stop"))).await(30, TimeUnit.SECONDS);
    String fresh = StreamIds.next();

    // all sent from one event loop without waiting: appends of open, unknown and ended streams join one
    // script run; the create between them splits the run, so the append after it finds the new stream
    Promise<List<Future<?>>> submitted = Promise.promise();
    vertx.runOnContext(v -> submitted.complete(List.of(
        log.append(open, List.of(NewEvent.delta("a"))),
        log.append(StreamIds.next(), List.of(NewEvent.delta("x"))),
        log.append(ended, List.of(NewEvent.delta("y"))),
        log.append(open, List.of(NewEvent.delta("b"), NewEvent.delta("c"))),
        log.create(StreamMeta.fresh(fresh, "alice", "demo", System.currentTimeMillis())),
        log.append(fresh, List.of(NewEvent.delta("z"))),
        log.append(open, List.of(NewEvent.done("stop"))))));
    List<Future<?>> sent = submitted.future().await(30, TimeUnit.SECONDS);
    Future.join(sent).otherwiseEmpty().await(30, TimeUnit.SECONDS);

    assertEquals(List.of(0L), offsets(sent.get(0)));
    assertEquals(ErrorCode.STREAM_NOT_FOUND, HubException.of(sent.get(1).cause()).code());
    assertEquals(ErrorCode.STREAM_FINISHED, HubException.of(sent.get(2).cause()).code());
    assertEquals(List.of(1L, 2L), offsets(sent.get(3)));
    assertTrue(sent.get(4).succeeded(), () -> "create: " + sent.get(4).cause());
    assertEquals(List.of(0L), offsets(sent.get(5)));
    assertEquals(List.of(3L), offsets(sent.get(6)));
    ReadResult read = log.read(open, 0, 10).await(30, TimeUnit.SECONDS);
    assertEquals(List.of("delta:a", "delta:b", "delta:c", "done:"),
        read.events().stream().map(e -> e.type().wire() + ":" + e.data().getString("text", "")).collect(Collectors.toList()));
    assertTrue(read.finished());
  }

  @Test
  void aLaneSendsItsNextBatchWhileTheOneBeforeIsUnansweredAndAnswersBothInOrderOnTheCallersContext() throws Exception {
    StreamLogConfig defaults = StreamLogConfig.defaults().withRedis(redis.url());
    // a timeout far beyond the waits below: a batch given up on would also free the way for the next
    StreamLogConfig patient = new StreamLogConfig(defaults.store(), defaults.retentionSeconds(), defaults.maxEventsPerStream(),
        defaults.maxAgeSeconds(), defaults.readBatch(), defaults.redisUrl(), 30_000);
    RedisStreamLog log = (RedisStreamLog) RedisStreamLog.create(vertx, patient, "pipeline:").await(30, TimeUnit.SECONDS);
    String stream = StreamIds.next();
    Context caller = vertx.getOrCreateContext();
    // the caller's lane and its connection exist before Redis stops answering
    onContext(caller, () -> log.create(StreamMeta.fresh(stream, "alice", "demo", System.currentTimeMillis()))).await(30, TimeUnit.SECONDS);

    redis.freeze();
    List<Future<List<Event>>> appended = new ArrayList<>();
    List<Boolean> answeredAsCaller = Collections.synchronizedList(new ArrayList<>());
    try {
      for (String token : List.of("first", "second")) {
        long before = log.batcher().batchesSent();
        Future<List<Event>> append = onContext(caller, () -> log.append(stream, List.of(NewEvent.delta(token)))
            .andThen(done -> answeredAsCaller.add(Vertx.currentContext() == caller)));
        appended.add(append);
        // the token leaves in a batch of its own although Redis has not answered the batch before
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (log.batcher().batchesSent() == before && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(before + 1, log.batcher().batchesSent(), "'" + token + "' was not sent within 5 s while Redis was silent");
      }
      assertTrue(appended.stream().noneMatch(Future::isComplete), "answered while Redis was frozen");
      assertEquals(2, log.batcher().mostInFlight());
    } finally {
      redis.thaw();
    }

    assertEquals(List.of(0L), offsets(appended.get(0).await(30, TimeUnit.SECONDS)));
    assertEquals(List.of(1L), offsets(appended.get(1).await(30, TimeUnit.SECONDS)));
    assertEquals(List.of(true, true), answeredAsCaller);
    ReadResult read = log.read(stream, 0, 10).await(30, TimeUnit.SECONDS);
    assertEquals(List.of("first", "second"), read.events().stream().map(e -> e.data().getString("text")).collect(Collectors.toList()));
  }

  /** What {@code call} returns, called on {@code context}. */
  private static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(result));
    return result.future();
  }

  @SuppressWarnings("unchecked")
  private static List<Long> offsets(Future<?> appended) {
    assertTrue(appended.succeeded(), () -> "append failed: " + appended.cause());
    return offsets((List<Event>) appended.result());
  }

  private static List<Long> offsets(List<Event> events) {
    return events.stream().map(Event::offset).collect(Collectors.toList());
  }
}
