package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The appends of many streams whose partitions one member owns, run by that member: one executor
 * task crosses the network instead of one operation per stream ({@link AppendBatches}). On the
 * owner each append is the usual {@link LogProcessors.Append} entry processor, submitted locally:
 * it runs on its partition's thread, checks the quorum, and is acknowledged only once its
 * synchronous backup applied it, exactly as when the caller submits it itself.
 *
 * <p>Replies, one per append in order: the processor's reply, or null when its outcome is unknown
 * (no answer within {@link HazelcastStreamLog#ATTEMPT_TIMEOUT_MS}, a failure, or an answer that
 * took as long as the backup timeout, which Hazelcast gives when the backup stayed silent). The
 * caller tries those again one by one with the same request id ({@link HazelcastStreamLog}).
 * One slow append does not hold the others' replies: once the first append answered, the task waits
 * at most {@link #STRAGGLER_MS} (or as long as that one took) for the rest, and a straggler's reply
 * is null (it goes on on the owner, and the caller's retry with the same request id gets its
 * outcome: {@link StoredStream#append} is idempotent per request id).
 */
public final class AppendTask implements Callable<String[]>, DataSerializable, HazelcastInstanceAware {

  /**
   * How much longer the task waits for the rest of its appends once the first one answered (or as
   * long as that one took, if longer), in ms. An append whose partition is migrating (a data member
   * joined or left) waits for the migration; without this bound it held the replies of every other
   * stream of the task, and the next task to the member, for as long (seconds in a rolling restart).
   */
  static final long STRAGGLER_MS = 100;

  private String mapName;
  private long backupTimeoutNanos;
  private List<LogProcessors.Append> appends;
  private transient HazelcastInstance instance;

  public AppendTask() {}

  AppendTask(String mapName, long backupTimeoutNanos, List<LogProcessors.Append> appends) {
    this.mapName = mapName;
    this.backupTimeoutNanos = backupTimeoutNanos;
    this.appends = appends;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.instance = instance;
  }

  @Override
  public String[] call() {
    IMap<String, StoredStream> map = instance.getMap(mapName);
    int n = appends.size();
    long[] started = new long[n];
    long[] took = new long[n];
    List<CompletableFuture<String>> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      started[i] = System.nanoTime();
      LogProcessors.Append append = appends.get(i);
      pending.add(map.submitToKey(append.stream(), append).toCompletableFuture()
          .whenComplete((reply, err) -> took[index] = System.nanoTime() - started[index]));
    }
    return settle(pending, took);
  }

  /**
   * The replies of the appends that answered: all of them, or, once the first answered, those that
   * answered within {@link #STRAGGLER_MS} (at least as long as the first took) more; the others are
   * null (unknown), for the caller to try again on their own.
   */
  private String[] settle(List<CompletableFuture<String>> pending, long[] took) {
    int n = pending.size();
    String[] replies = new String[n];
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(HazelcastStreamLog.ATTEMPT_TIMEOUT_MS);
    // answered or failed, never exceptional: a failed append counts as answered (unknown below)
    CompletableFuture<?>[] each = pending.stream().map(f -> f.handle((reply, err) -> null)).toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.anyOf(each).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      long first = System.nanoTime() - started;
      long rest = Math.min(deadline, System.nanoTime() + Math.max(TimeUnit.MILLISECONDS.toNanos(STRAGGLER_MS), first));
      CompletableFuture.allOf(each).get(Math.max(0, rest - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notAll) {
      // some did not answer in time: those are unknown below
    }
    for (int i = 0; i < n; i++) {
      CompletableFuture<String> reply = pending.get(i);
      if (reply.isDone() && !reply.isCompletedExceptionally()) {
        replies[i] = took[i] < backupTimeoutNanos ? reply.join() : null;
      }
    }
    return replies;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(mapName);
    out.writeLong(backupTimeoutNanos);
    out.writeInt(appends.size());
    for (LogProcessors.Append append : appends) {
      append.writeData(out);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    mapName = in.readString();
    backupTimeoutNanos = in.readLong();
    int n = in.readInt();
    appends = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      LogProcessors.Append append = new LogProcessors.Append();
      append.readData(in);
      appends.add(append);
    }
  }
}
