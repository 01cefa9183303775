package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.streamhub.cluster.EmbeddedHazelcast;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real members whose replicas of one stream differ (an event on the backup that the owner never
 * had, as after a cut in the middle of a backup): the backup acknowledges nothing until it has the
 * owner's copy again, and then the owner's history is the one that survives the owner's death.
 * Before {@link ReplicaCheck}, the read was confirmed at once by the differing backup, and the
 * backup, promoted, served its own event at offset 3.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicaSyncTest {

  private final String cluster = "streamhub-test-" + UUID.randomUUID();
  private HazelcastInstance a;
  private HazelcastInstance b;
  private Vertx vertx;

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
    for (HazelcastInstance member : new HazelcastInstance[] {a, b}) {
      if (member != null && member.getLifecycleService().isRunning()) {
        member.getLifecycleService().terminate();
      }
    }
  }

  /** Changes nothing on the owner, and appends {@code ghost} on the backup: two different copies. */
  static final class BackupOnly implements EntryProcessor<String, StoredStream, String>, Serializable {
    private final boolean onBackup;

    BackupOnly(boolean onBackup) {
      this.onBackup = onBackup;
    }

    @Override
    public String process(Map.Entry<String, StoredStream> entry) {
      if (onBackup) {
        StoredStream stored = entry.getValue();
        stored.append("ghost", List.of(NewEvent.delta("ghost")), 99, 0);
        entry.setValue(stored);
      }
      return null;
    }

    @Override
    public EntryProcessor<String, StoredStream, String> getBackupProcessor() {
      return onBackup ? null : new BackupOnly(true);
    }
  }

  @Test
  void aDivergedBackupConfirmsNothingUntilItHoldsTheOwnersCopyAgain() {
    Config config = EmbeddedHazelcast.config(cluster).setProperty("hazelcast.operation.backup.timeout.millis", "1000");
    a = Hazelcast.newHazelcastInstance(config);
    b = Hazelcast.newHazelcastInstance(EmbeddedHazelcast.config(cluster).setProperty("hazelcast.operation.backup.timeout.millis", "1000"));
    vertx = Vertx.vertx();
    String map = HazelcastStreamLog.MAP + "." + UUID.randomUUID();
    StreamLog onA = HazelcastStreamLog.create(vertx, a, StreamLogConfig.defaults(), map).await();
    StreamLog onB = HazelcastStreamLog.create(vertx, b, StreamLogConfig.defaults(), map).await();
    String stream = "st_sync" + UUID.randomUUID().toString().substring(0, 8);
    onA.create(StreamMeta.fresh(stream, "alice", "demo", System.currentTimeMillis())).await();
    onA.append(stream, List.of(NewEvent.delta("a"), NewEvent.delta("b"), NewEvent.delta("c"))).await();

    IMap<String, StoredStream> imap = a.getMap(map);
    imap.executeOnKey(stream, new BackupOnly(false));

    // the first try is not acknowledged (the backup differs and asks for the owner's copy); a later one is
    assertEquals(List.of("a", "b", "c"), texts(onA.read(stream, 0, 100).await().events()));
    assertEquals(3L, onA.append(stream, List.of(NewEvent.delta("d"))).await().get(0).offset());

    HazelcastInstance owner = a.getPartitionService().getPartition(stream).getOwner().getUuid().equals(a.getCluster().getLocalMember().getUuid()) ? a : b;
    StreamLog survivor = owner == a ? onB : onA;
    owner.getLifecycleService().terminate();

    assertEquals(List.of("a", "b", "c", "d"), texts(survivor.read(stream, 0, 100).await().events()));
  }

  private static List<String> texts(List<Event> events) {
    return events.stream().map(e -> e.data().getString("text")).collect(Collectors.toList());
  }
}
