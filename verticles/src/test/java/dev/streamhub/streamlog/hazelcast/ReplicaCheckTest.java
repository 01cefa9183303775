package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hazelcast.map.EntryProcessor;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The case of PartitionIT's fork, which needs a network cut at the wrong moment to happen there:
 * two replicas of a stream that differ at offset 11 (one holds the worker's delta the owner applied
 * just as the network was cut, the other does not). A backup whose copy is not the owner's must not
 * acknowledge: not a read served from the other copy, not an append (which it would store at
 * another offset).
 */
class ReplicaCheckTest {

  private static final String MAP = "streamhub.log.replica-check-test";

  /** A stream with deltas at offsets 0..10 written by the worker (epoch 1). */
  private static StoredStream elevenDeltas() {
    StoredStream stream = new StoredStream(StreamMeta.fresh("st_r", "alice", "demo", 1), 100);
    for (int i = 0; i <= 10; i++) {
      stream.append("w" + i, List.of(NewEvent.delta("t" + i)), 1_000 + i, 1);
    }
    return stream;
  }

  private static Map.Entry<String, StoredStream> entry(StoredStream stream) {
    return new AbstractMap.SimpleEntry<>("st_r", stream);
  }

  @Test
  void aReadServedFromACopyTheBackupDoesNotHoldIsNotAcknowledged() {
    StoredStream owner = elevenDeltas();
    owner.append("w11", List.of(NewEvent.delta(".")), 1_011, 1); // applied on this copy only, never acknowledged
    StoredStream backup = elevenDeltas();
    LogProcessors.Read read = new LogProcessors.Read("st_r", 11, 100, MAP);

    String served = read.process(entry(owner));
    EntryProcessor<String, StoredStream, String> confirm = read.getBackupProcessor();

    assertEquals(1, new io.vertx.core.json.JsonObject(served).getJsonArray("events").size());
    assertThrows(ReplicaCheck.Diverged.class, () -> confirm.process(entry(backup)));
  }

  @Test
  void aReadIsAcknowledgedByABackupHoldingTheSameStream() {
    LogProcessors.Read read = new LogProcessors.Read("st_r", 5, 100, MAP);
    read.process(entry(elevenDeltas()));

    assertNull(read.getBackupProcessor().process(entry(elevenDeltas())));
  }

  @Test
  void anAppendIsNotReplayedOnABackupWhoseCopyDiffers() {
    StoredStream owner = elevenDeltas();
    StoredStream backup = elevenDeltas();
    backup.append("w11", List.of(NewEvent.delta(".")), 1_011, 1); // the delta the owner never got
    LogProcessors.Append lost = new LogProcessors.Append("reaper", "st_r",
        List.of(NewEvent.error(new HubException(ErrorCode.WORKER_LOST, "lost"))), 2_000, 2, MAP);

    String reply = lost.process(entry(owner));
    EntryProcessor<String, StoredStream, String> replay = lost.getBackupProcessor();

    assertEquals("11", reply); // an append answers with its first offset, as text
    assertThrows(ReplicaCheck.Diverged.class, () -> replay.process(entry(backup)));
    assertEquals(12, backup.meta().nextOffset(), "the diverged backup changed nothing");
    assertEquals(0, backup.meta().finishedAt(), "the diverged backup changed nothing");
  }

  @Test
  void anAppendIsReplayedOnABackupHoldingTheSameStream() {
    StoredStream owner = elevenDeltas();
    StoredStream backup = elevenDeltas();
    LogProcessors.Append append = new LogProcessors.Append("w11", "st_r", List.of(NewEvent.delta(".")), 1_011, 1, MAP);

    append.process(entry(owner));
    append.getBackupProcessor().process(entry(backup));

    assertEquals(ReplicaCheck.fingerprint(owner), ReplicaCheck.fingerprint(backup));
    assertEquals(12, backup.meta().nextOffset());
  }

  @Test
  void theFingerprintTellsTwoEventsAtTheSameOffsetApart() {
    StoredStream a = elevenDeltas();
    StoredStream b = elevenDeltas();
    a.append("w11", List.of(NewEvent.delta(".")), 1_011, 1);
    b.append("reaper", List.of(NewEvent.error(new HubException(ErrorCode.WORKER_LOST, "lost"))), 2_000, 2);

    assertEquals(a.meta().nextOffset(), b.meta().nextOffset());
    assertThrows(ReplicaCheck.Diverged.class, () -> ReplicaCheck.verify(null, MAP, "st_r", ReplicaCheck.fingerprint(a), b, "read"));
    assertEquals(ReplicaCheck.ABSENT, ReplicaCheck.fingerprint(null));
  }
}
