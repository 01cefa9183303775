package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
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
 * (no answer within {@link HazelcastStreamLog#ATTEMPT_TIMEOUT_MS}, a failure, an answer that
 * took as long as the backup timeout, which Hazelcast gives when the backup stayed silent, or any
 * answer of a task during which a member left this member's list, which Hazelcast counts as a backup
 * acknowledgement: {@link MembersAtCall}). The
 * caller tries those again one by one with the same request id ({@link HazelcastStreamLog}).
 * One slow append does not hold the others' replies: once the first append answered, the task waits
 * at most {@link #STRAGGLER_MS} (or as long as that one took) for the rest, and a straggler's reply
 * is null (it goes on on the owner, and the caller's retry with the same request id gets its
 * outcome: {@link StoredStream#append} is idempotent per request id).
 */
public final class AppendTask implements Callable<String[]>, DataSerializable, HazelcastInstanceAware {

  /**
   * How much longer the task waits for an append on a migrating partition once the first append
   * answered (or as long as that one took, if longer), in ms. Such an append waits for the
   * migration (a data member joined or left); without this bound it held the replies of every other
   * stream of the task, and the next task to the member, for as long (seconds in a rolling restart).
   */
  static final long STRAGGLER_MS = 100;

  private String mapName;
  private long backupTimeoutNanos;
  private List<LogProcessors.Append> appends;
  private transient HazelcastInstance instance;
  /** Whether a stream's partition is migrating: {@link #partitionMigrating} unless a test says otherwise. */
  private transient java.util.function.Predicate<String> migrating = this::partitionMigrating;

  public AppendTask() {}

  AppendTask(String mapName, long backupTimeoutNanos, List<LogProcessors.Append> appends) {
    this.mapName = mapName;
    this.backupTimeoutNanos = backupTimeoutNanos;
    this.appends = appends;
  }

  /** For tests: what counts as a migrating partition. */
  AppendTask migrating(java.util.function.Predicate<String> migrating) {
    this.migrating = migrating;
    return this;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.instance = instance;
  }

  @Override
  public String[] call() {
    IMap<String, StoredStream> map = instance.getMap(mapName);
    MembersAtCall members = MembersAtCall.of(instance);
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
    String[] replies = settle(pending, took);
    if (members.someoneLeft()) {
      // Hazelcast counted the member that left as a backup acknowledgement of every append still out
      // (MembersAtCall): none of these replies proves a backup, so all are unknown, for the caller to retry
      java.util.Arrays.fill(replies, null);
    }
    return replies;
  }

  /**
   * The replies of the appends that answered, waiting up to {@link HazelcastStreamLog#ATTEMPT_TIMEOUT_MS}
   * for them all, except that once the first answered, an append whose partition is migrating and that
   * has not answered within {@link #STRAGGLER_MS} more (or as long as the first took) is given up on:
   * its reply is null (unknown), for the caller to try again on its own.
   */
  private String[] settle(List<CompletableFuture<String>> pending, long[] took) {
    int n = pending.size();
    String[] replies = new String[n];
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(HazelcastStreamLog.ATTEMPT_TIMEOUT_MS);
    // answered or failed, never exceptional: a failed append counts as answered (unknown below)
    List<CompletableFuture<Object>> settled = new ArrayList<>(n);
    for (CompletableFuture<String> f : pending) {
      settled.add(f.handle((reply, err) -> null));
    }
    boolean[] givenUp = new boolean[n];
    try {
      CompletableFuture.anyOf(settled.toArray(CompletableFuture<?>[]::new)).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      long first = System.nanoTime() - started;
      long grace = Math.min(deadline, System.nanoTime() + Math.max(TimeUnit.MILLISECONDS.toNanos(STRAGGLER_MS), first));
      while (true) {
        List<CompletableFuture<Object>> waiting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (!settled.get(i).isDone() && !givenUp[i]) {
            if (System.nanoTime() >= grace && migrating.test(appends.get(i).stream())) {
              givenUp[i] = true;
            } else {
              waiting.add(settled.get(i));
            }
          }
        }
        long now = System.nanoTime();
        if (waiting.isEmpty() || now >= deadline) {
          break;
        }
        long slice = Math.min(deadline, now < grace ? grace : now + TimeUnit.MILLISECONDS.toNanos(STRAGGLER_MS)) - now;
        try {
          CompletableFuture.allOf(waiting.toArray(CompletableFuture<?>[]::new)).get(slice, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // look again at who is still out, and whether their partitions migrate
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException none) {
      // nothing answered in time: all unknown below
    }
    for (int i = 0; i < n; i++) {
      CompletableFuture<String> reply = pending.get(i);
      if (reply.isDone() && !reply.isCompletedExceptionally()) {
        replies[i] = took[i] < backupTimeoutNanos ? reply.join() : null;
      }
    }
    return replies;
  }

  /** True when this member sees the partition of {@code stream} migrating (a data member joined or left). */
  private boolean partitionMigrating(String stream) {
    HazelcastInstanceImpl impl = instance instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
        : instance instanceof HazelcastInstanceImpl direct ? direct : null;
    if (impl == null) {
      return false;
    }
    int partitionId = instance.getPartitionService().getPartition(stream).getPartitionId();
    return impl.node.getPartitionService().getPartition(partitionId).isMigrating();
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
