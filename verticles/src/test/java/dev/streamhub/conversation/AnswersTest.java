package dev.streamhub.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.memory.MemoryStreamLog;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a stream's end becomes an assistant turn: done, error and cancelled with their text, pending while open, lost when expired. */
class AnswersTest {

  private static final long WAIT_S = 10;

  private static String stream(StreamLog log, NewEvent... events) throws Exception {
    String id = StreamIds.next();
    log.create(StreamMeta.fresh(id, "alice", "demo", System.currentTimeMillis())).await(WAIT_S, TimeUnit.SECONDS);
    if (events.length > 0) {
      log.append(id, List.of(events)).await(WAIT_S, TimeUnit.SECONDS);
    }
    return id;
  }

  private static Turn resolve(StreamLog log, String stream) throws Exception {
    return new Answers(log).resolve(Turn.pendingAnswer(stream)).await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void eachEndingIsRecordedAsItEnded() throws Exception {
    StreamLog log = new MemoryStreamLog(StreamLogConfig.defaults());
    String done = stream(log, NewEvent.delta("Hel"), NewEvent.delta("lo"), NewEvent.usage(1, 2), NewEvent.done("stop"));
    assertEquals(new Turn("assistant", "Hello", done, "done", null), resolve(log, done));

    HubException lost = new HubException(ErrorCode.WORKER_LOST, "the worker died");
    String failed = stream(log, NewEvent.delta("Half"), NewEvent.error(lost));
    assertEquals(new Turn("assistant", "Half", failed, "error",
        new JsonObject().put("code", "worker_lost").put("message", "the worker died")), resolve(log, failed));

    String cancelled = stream(log, NewEvent.delta("Sto"), NewEvent.cancelled("client"));
    assertEquals(new Turn("assistant", "Sto", cancelled, "cancelled", null), resolve(log, cancelled));

    String open = stream(log, NewEvent.delta("still going"));
    assertEquals(Turn.pendingAnswer(open), resolve(log, open));

    assertEquals(new Turn("assistant", "", "st_AAAAAAAAAAAAAAAAAAAAAA", "lost", null), resolve(log, "st_AAAAAAAAAAAAAAAAAAAAAA"));
  }

  @Test
  void anAnswerWhoseBeginningExpiredIsLostNotTruncated() throws Exception {
    StreamLog log = new MemoryStreamLog(StreamLogConfig.defaults().withMaxEventsPerStream(2));
    String trimmed = stream(log, NewEvent.delta("a"), NewEvent.delta("b"), NewEvent.delta("c"), NewEvent.done("stop"));
    assertEquals(new Turn("assistant", "", trimmed, "lost", null), resolve(log, trimmed));
  }
}
