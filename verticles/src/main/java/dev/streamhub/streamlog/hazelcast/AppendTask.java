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
 */
public final class AppendTask implements Callable<String[]>, DataSerializable, HazelcastInstanceAware {

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
    String[] replies = new String[n];
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HazelcastStreamLog.ATTEMPT_TIMEOUT_MS);
    for (int i = 0; i < n; i++) {
      try {
        String reply = pending.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        replies[i] = took[i] < backupTimeoutNanos ? reply : null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return replies;
      } catch (Exception unknown) {
        replies[i] = null;
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
