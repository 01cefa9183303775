package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the contract cannot provoke: Hazelcast retrying an append after the member that applied it died. */
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
}
