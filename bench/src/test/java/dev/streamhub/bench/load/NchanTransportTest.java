package dev.streamhub.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NchanTransportTest {

  private final List<String> events = new ArrayList<>();
  private final List<Boolean> ends = new ArrayList<>();
  private final StreamListener listener = new StreamListener() {
    @Override
    public void onOpen(long atMicros) {}

    @Override
    public void onEvent(long offset, String type, long ts, String data, long atMicros) {
      events.add(offset + "|" + type + "|" + ts);
    }
  };

  @Test
  void takesOffsetTypeAndSendTimeFromThePublishersBody() {
    // What Nchan's EventSource sends: its own id, the message body as data, then the closing batch.
    String wire = ": hi\n\nid: 1700000000:0\ndata: {\"type\":\"delta\",\"data\":{\"text\":\" t0\",\"seq\":0,\"t\":123}}\n\n"
        + "id: 1700000000:1\ndata: [{\"type\":\"usage\",\"data\":{\"prompt_tokens\":0,\"completion_tokens\":1,\"total_tokens\":1,\"seq\":1}},"
        + "{\"type\":\"done\",\"data\":{\"finish_reason\":\"stop\",\"seq\":2}}]\n\n";
    SseParser parser = new SseParser((id, type, data) -> ends.add(NchanTransport.decode(id, type, data, 500, listener)));
    for (byte b : wire.getBytes(StandardCharsets.UTF_8)) {
      parser.feed(new byte[] {b});
    }
    assertEquals(List.of("0|delta|123", "1|usage|-1", "2|done|-1"), events);
    assertEquals(List.of(false, true), ends);
  }

  @Test
  void aMessageWithoutSeqHasNoOffset() {
    assertFalse(NchanTransport.decode("x", "message", "{\"hello\":1}", 1, listener));
    assertEquals(List.of("-1|message|-1"), events);
    assertTrue(NchanTransport.decode("x", "message", "{\"type\":\"error\",\"data\":{\"seq\":4}}", 1, listener));
  }
}
