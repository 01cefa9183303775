package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the contract cannot provoke: Hazelcast retrying an append after the member that applied it
 * died, and a writer whose lease moved while it was cut off.
 */
class StoredStreamTest {

  @Test
  void aRetriedAppendGetsTheStoredEventsBackInsteadOfASecondCopy() {
    StoredStream stream = new StoredStream(StreamMeta.fresh("st_x", "alice", "demo", 1), 100);
    stream.append("r1", List.of(NewEvent.delta("a")), 10);
    List<Event> first = stream.append("r2", List.of(NewEvent.delta("b"), NewEvent.delta("c")), 20);

    List<Event> retried = stream.append("r2", List.of(NewEvent.delta("b"), NewEvent.delta("c")), 30);

    assertEquals(first, retried);
    assertEquals(3, stream.meta().nextOffset());
    assertEquals(List.of(1L, 2L), first.stream().map(Event::offset).collect(Collectors.toList()));
    assertEquals(3L, stream.append("r3", List.of(NewEvent.delta("d")), 40).get(0).offset());
  }

  @Test
  void aWriterWhoseLeaseMovedIsFencedOutInsideTheAppend() {
    StoredStream stream = new StoredStream(StreamMeta.fresh("st_f", "alice", "demo", 1), 100);
    stream.append("w1", List.of(NewEvent.delta("a")), 10, 1);
    // the watchdog took the lease over at epoch 2 (here with a non-terminal event, to see the fence alone)
    stream.append("reaper", List.of(NewEvent.delta("b")), 20, 2);

    HubException refused = assertThrows(HubException.class, () -> stream.append("w2", List.of(NewEvent.delta("late")), 30, 1));

    assertEquals(ErrorCode.WORKER_LOST, refused.code());
    assertEquals(2, stream.meta().nextOffset());
    // an unfenced writer (an edge cancelling, a relay publisher) is not a lease holder and is not refused
    assertEquals(2L, stream.append("edge", List.of(NewEvent.delta("c")), 40, 0).get(0).offset());
    assertEquals(3L, stream.append("w3", List.of(NewEvent.delta("d")), 50, 2).get(0).offset());
  }
}
