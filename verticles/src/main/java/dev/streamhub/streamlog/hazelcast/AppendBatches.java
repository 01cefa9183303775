package dev.streamhub.streamlog.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.partition.Partition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Group commit of appends across streams, for one event loop: the appends its writers issue are
 * grouped by the member that owns their stream's partition and sent as one {@link AppendTask} per
 * member, instead of one Hazelcast operation each (Kafka batches per partition leader; Centrifugo
 * pipelines Redis commands). Each append is still its own entry processor on the owner, with its own
 * synchronous backup.
 *
 * <p>No timer: an append issued with nothing in flight to its member leaves at the end of the
 * current turn of the event loop (with whatever else that turn appended); appends issued while
 * a task to that member is out leave together when it comes back. At a
 * low rate that is no wait at all; under load it is how a few hundred streams' tokens share one
 * network round trip.
 *
 * <p>Not thread safe: one instance per event-loop context, used from it ({@link HazelcastStreamLog}).
 */
final class AppendBatches {

  /**
   * Tasks out to one member at a time, per event loop: one, so that appends this event loop issued
   * in some order to one stream are applied in that order (the next task is sent only once every
   * append of the previous one is done; two tasks at once would run on two executor threads).
   */
  static final int MAX_IN_FLIGHT = 1;
  /** Appends per task at most. */
  static final int MAX_APPENDS = 256;

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final String mapName;
  private final long backupTimeoutNanos;
  private final Context context;
  private final Map<UUID, Queue> queues = new HashMap<>();

  AppendBatches(HazelcastInstance hazelcast, IExecutorService executor, String mapName, long backupTimeoutNanos, Context context) {
    this.hazelcast = hazelcast;
    this.executor = executor;
    this.mapName = mapName;
    this.backupTimeoutNanos = backupTimeoutNanos;
    this.context = context;
  }

  /**
   * The reply of {@code append} run on its stream's owner; a failed future when its outcome is
   * unknown (the caller tries again on its own). Null when the owner is not known now (a partition
   * migrating): the caller submits the append itself.
   */
  Future<String> submit(LogProcessors.Append append) {
    Partition partition = hazelcast.getPartitionService().getPartition(append.stream());
    Member owner = partition == null ? null : partition.getOwner();
    if (owner == null) {
      return null;
    }
    Queue queue = queues.computeIfAbsent(owner.getUuid(), id -> new Queue(owner));
    Promise<String> reply = Promise.promise();
    queue.waiting.add(append);
    queue.replies.add(reply);
    if (!queue.scheduled && queue.inFlight < MAX_IN_FLIGHT) {
      queue.scheduled = true;
      context.runOnContext(v -> queue.send());
    }
    return reply.future();
  }

  /** The appends waiting for one member. */
  private final class Queue {
    final Member member;
    List<LogProcessors.Append> waiting = new ArrayList<>();
    List<Promise<String>> replies = new ArrayList<>();
    int inFlight;
    boolean scheduled;

    Queue(Member member) {
      this.member = member;
    }

    void send() {
      scheduled = false;
      while (!waiting.isEmpty() && inFlight < MAX_IN_FLIGHT) {
        int n = Math.min(waiting.size(), MAX_APPENDS);
        List<LogProcessors.Append> appends = new ArrayList<>(waiting.subList(0, n));
        List<Promise<String>> promises = new ArrayList<>(replies.subList(0, n));
        waiting.subList(0, n).clear();
        replies.subList(0, n).clear();
        inFlight++;
        boolean[] settled = new boolean[1];
        // a member that never answers would hold this slot for Hazelcast's call timeout (60 s)
        long timer = context.owner().setTimer(2 * HazelcastStreamLog.ATTEMPT_TIMEOUT_MS, id -> settle(settled, promises, null, null));
        executor.submitToMember(new AppendTask(mapName, backupTimeoutNanos, appends), member, new ExecutionCallback<String[]>() {
          @Override
          public void onResponse(String[] answers) {
            context.runOnContext(v -> {
              context.owner().cancelTimer(timer);
              settle(settled, promises, answers, null);
            });
          }

          @Override
          public void onFailure(Throwable err) {
            context.runOnContext(v -> {
              context.owner().cancelTimer(timer);
              settle(settled, promises, null, err);
            });
          }
        });
      }
    }

    /** On the context: each append's answer, or "unknown" for the caller to try again; then the next batch. */
    private void settle(boolean[] settled, List<Promise<String>> promises, String[] answers, Throwable err) {
      if (settled[0]) {
        return;
      }
      settled[0] = true;
      inFlight--;
      for (int i = 0; i < promises.size(); i++) {
        String answer = answers == null || i >= answers.length ? null : answers[i];
        if (answer == null) {
          promises.get(i).fail(new UnknownOutcome(err));
        } else {
          promises.get(i).complete(answer);
        }
      }
      send();
    }
  }

  /** An append whose outcome the batch could not tell: the caller tries it again. */
  static final class UnknownOutcome extends RuntimeException {
    UnknownOutcome(Throwable cause) {
      super("outcome unknown", cause, false, false);
    }
  }
}
