package dev.streamhub.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.stream.Event;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream worker reads an upstream's {@code text/event-stream} by WHATWG HTML's event stream
 * interpretation rules, one rule per test, against {@link FakeUpstream} writing the exact bytes
 * (once whole, once a byte per write). The stream the hub logs holds exactly the deltas of the
 * events the rules dispatch, then {@code usage} and {@code done}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamEventStreamTest {

  private FakeUpstream fake;
  private Hub hub;
  private HubClient client;
  private int scripts;

  @BeforeEach
  void start(Vertx vertx) {
    fake = await(new FakeUpstream(vertx).start());
    hub = await(TestHubs.start(vertx, FakeUpstream.scriptedOnly(fake)));
    client = new HubClient(vertx, hub.port());
  }

  @AfterEach
  void stop() {
    await(hub.stop());
  }

  /** The JSON of a chunk whose delta is {@code text}. */
  private static String c(String text) {
    return FakeUpstream.contentFrame(text).substring("data: ".length()).trim();
  }

  /** Runs {@code body} (then the finish, usage and [DONE] frames unless {@code complete} is false) whole and byte by byte. */
  private void assertDeltas(Vertx vertx, List<String> expected, byte[] body, boolean complete) {
    byte[] end = complete ? FakeUpstream.endFrames(expected.size()).getBytes(StandardCharsets.UTF_8) : new byte[0];
    List<Buffer> whole = List.of(Buffer.buffer(body), Buffer.buffer(end));
    List<Buffer> bytes = new ArrayList<>();
    for (byte b : body) {
      bytes.add(Buffer.buffer(new byte[] {b}));
    }
    bytes.add(Buffer.buffer(end));
    for (List<Buffer> writes : List.of(whole, bytes)) {
      String name = "script " + (++scripts);
      fake.script(name, writes, 0);
      String stream = await(client.createStream(new JsonObject().put("model", FakeUpstream.SCRIPTED)
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", name)))));
      await(client.awaitFinished(vertx, stream));
      List<Event> events = await(hub.log().read(stream, 0, 1000)).events();
      List<String> deltas = events.stream().filter(e -> e.type().wire().equals("delta"))
          .map(e -> e.data().getString("text")).collect(Collectors.toList());
      String writesSaid = writes == whole ? "whole" : "a byte per write";
      assertEquals(expected, deltas, writesSaid + ": " + events);
      assertEquals("done", events.get(events.size() - 1).type().wire(), writesSaid + ": " + events);
    }
  }

  private void assertDeltas(Vertx vertx, List<String> expected, String body) {
    assertDeltas(vertx, expected, body.getBytes(StandardCharsets.UTF_8), true);
  }

  @Test
  void lfCrlfAndCrEndLines(Vertx vertx) {
    assertDeltas(vertx, List.of("A", "B", "C", "D"),
        "data: " + c("A") + "\n\ndata: " + c("B") + "\r\n\r\ndata: " + c("C") + "\r\rdata: " + c("D") + "\n\r\n");
  }

  @Test
  void aLeadingByteOrderMarkIsDroppedAndALaterOneIsNot(Vertx vertx) {
    byte[] rest = ("data: " + c("A") + "\n\n\uFEFFdata: " + c("lost") + "\n\n").getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[rest.length + 3];
    body[0] = (byte) 0xEF;
    body[1] = (byte) 0xBB;
    body[2] = (byte) 0xBF;
    System.arraycopy(rest, 0, body, 3, rest.length);
    assertDeltas(vertx, List.of("A"), body, true);
  }

  @Test
  void fieldsWithAndWithoutASpaceAfterTheColon(Vertx vertx) {
    assertDeltas(vertx, List.of("A", "B", "C"), "data:" + c("A") + "\n\ndata: " + c("B") + "\n\ndata:  " + c("C") + "\n\n");
  }

  @Test
  void commentsAreSkipped(Vertx vertx) {
    assertDeltas(vertx, List.of("A", "B"), ": OPENROUTER PROCESSING\n\ndata: " + c("A") + "\n: inside an event\n\n:\n\ndata: " + c("B") + "\n\n");
  }

  @Test
  void multiLineDataIsJoinedByLineFeeds(Vertx vertx) {
    String chunk = c("A\nB");
    int mid = chunk.indexOf("\"choices\"");
    assertDeltas(vertx, List.of("A\nB"), "data: " + chunk.substring(0, mid) + "\ndata: " + chunk.substring(mid) + "\n\n");
  }

  @Test
  void retryAndIdFieldsAreNotData(Vertx vertx) {
    assertDeltas(vertx, List.of("A", "B"), "retry: 3000\nretry: x\nid: 1\ndata: " + c("A") + "\n\nid: 2\u0000\nid\ndata: " + c("B") + "\n\n");
  }

  @Test
  void eventsOfAnotherTypeAndEventsWithoutDataAreNotChunks(Vertx vertx) {
    assertDeltas(vertx, List.of("A", "B"), "event: ping\ndata: " + c("not a chunk") + "\n\nevent: message\ndata: " + c("A")
        + "\n\nevent: lonely\n\nid: 9\n\ndata: " + c("B") + "\n\n");
  }

  @Test
  void anEventTheBodyEndsInsideIsNotDispatched(Vertx vertx) {
    String finish = FakeUpstream.endFrames(1);
    String finishChunk = finish.substring(0, finish.indexOf("\n\n") + 2);
    assertDeltas(vertx, List.of("A"), ("data: " + c("A") + "\n\n" + finishChunk + "data: " + c("cut") + "\n").getBytes(StandardCharsets.UTF_8), false);
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }
}
