package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One append that cannot run (its stream's entry is locked, as a partition migrating holds its
 * operations) does not hold the replies of the other appends of its task: they come back within
 * {@link AppendTask#STRAGGLER_MS} of the first, the straggler's reply is null (unknown), and once it
 * can run it is applied once: a retry with its request id gets the same offset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppendTaskTest {

  private static HazelcastInstance member;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    member = Hazelcast.newHazelcastInstance(EmbeddedHazelcast.config());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    member.shutdown();
  }

  @Test
  void aStragglerDoesNotHoldTheOthers() throws Exception {
    String mapName = HazelcastStreamLog.MAP + "." + UUID.randomUUID();
    StreamLog log = HazelcastStreamLog.create(vertx, member, StreamLogConfig.defaults(), mapName).await();
    String slow = StreamIds.next();
    String fast = StreamIds.next();
    log.create(StreamMeta.fresh(slow, "alice", "demo", System.currentTimeMillis())).await();
    log.create(StreamMeta.fresh(fast, "alice", "demo", System.currentTimeMillis())).await();
    IMap<String, StoredStream> map = member.getMap(mapName);

    LogProcessors.Append slowAppend = new LogProcessors.Append("r-slow", slow, List.of(NewEvent.delta("a")), 1, 0, mapName);
    LogProcessors.Append fastAppend = new LogProcessors.Append("r-fast", fast, List.of(NewEvent.delta("b")), 1, 0, mapName);
    // the slow stream's partition counts as migrating (what a data member joining or leaving does)
    AppendTask task = new AppendTask(mapName, TimeUnit.SECONDS.toNanos(2), List.of(slowAppend, fastAppend)).migrating(slow::equals);
    task.setHazelcastInstance(member);

    // entry processors on a key another thread locked wait, as operations on a migrating partition do
    Thread locker = new Thread(() -> map.lock(slow));
    locker.start();
    locker.join(10_000);
    assertTrue(map.isLocked(slow));
    String[] replies;
    long took;
    try {
      long started = System.nanoTime();
      replies = task.call();
      took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    } finally {
      map.forceUnlock(slow);
    }

    assertNull(replies[0], "the locked stream's append is unknown, not waited for");
    assertEquals("0", replies[1], "the other stream's append answered with its offset");
    assertTrue(took < HazelcastStreamLog.ATTEMPT_TIMEOUT_MS, "the task answered after " + took + " ms, not the attempt timeout");

    // the straggler goes on on the owner; the caller's retry with the same request id is applied once
    String again = map.submitToKey(slow, new LogProcessors.Append("r-slow", slow, List.of(NewEvent.delta("a")), 1, 0, mapName))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("0", again);
    var read = log.read(slow, 0, 10).await();
    assertEquals(1, read.events().size(), "one event in the stream, not two: " + read.events());
    assertNotNull(read.events().get(0));
  }

  /**
   * An append held for another reason than a migration (queued behind others of its stream) is
   * waited for. The entry stays locked until the task, its grace over, has asked whether the held
   * stream's partition migrates (and was told no): only then is it let go, so the task has passed
   * the point where it would give up a straggler.
   */
  @Test
  void anAppendNotOnAMigratingPartitionIsWaitedFor() throws Exception {
    String mapName = HazelcastStreamLog.MAP + "." + UUID.randomUUID();
    StreamLog log = HazelcastStreamLog.create(vertx, member, StreamLogConfig.defaults(), mapName).await();
    String held = StreamIds.next();
    String fast = StreamIds.next();
    log.create(StreamMeta.fresh(held, "alice", "demo", System.currentTimeMillis())).await();
    log.create(StreamMeta.fresh(fast, "alice", "demo", System.currentTimeMillis())).await();
    IMap<String, StoredStream> map = member.getMap(mapName);
    CountDownLatch askedAboutHeld = new CountDownLatch(1);
    AppendTask task = new AppendTask(mapName, TimeUnit.SECONDS.toNanos(2), List.of(
        new LogProcessors.Append("r-held", held, List.of(NewEvent.delta("a")), 1, 0, mapName),
        new LogProcessors.Append("r-fast", fast, List.of(NewEvent.delta("b")), 1, 0, mapName))).migrating(stream -> {
          if (stream.equals(held)) {
            askedAboutHeld.countDown();
          }
          return false;
        });
    task.setHazelcastInstance(member);

    CountDownLatch locked = new CountDownLatch(1);
    AtomicBoolean heldPastGrace = new AtomicBoolean();
    Thread locker = new Thread(() -> {
      map.lock(held);
      locked.countDown();
      try {
        heldPastGrace.set(askedAboutHeld.await(10, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        map.unlock(held);
      }
    });
    locker.start();
    assertTrue(locked.await(10, TimeUnit.SECONDS), "the entry was locked");
    String[] replies = task.call();
    locker.join(10_000);

    assertTrue(heldPastGrace.get(), "the task asked whether the held stream migrates while it was held (its grace was over)");
    assertEquals("0", replies[0], "the held append was waited for, not given up");
    assertEquals("0", replies[1]);
  }
}
