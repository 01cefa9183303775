package dev.streamhub.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.bench.load.SseParser;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeUpstreamTest {

  @Test
  void answerIsOpenAiChunksThenDone() {
    List<String> data = new ArrayList<>();
    new SseParser((id, type, d) -> data.add(d)).feed(FakeUpstream.answer(3, true).getBytes());
    assertEquals(6, data.size(), "3 content chunks, a finish chunk, a usage chunk, [DONE]: " + data);
    JsonObject first = new JsonObject(data.get(0));
    assertEquals("chat.completion.chunk", first.getString("object"));
    JsonObject delta = first.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    assertEquals("assistant", delta.getString("role"));
    assertTrue(!delta.getString("content").isEmpty());
    assertEquals("stop", new JsonObject(data.get(3)).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    assertEquals(3, new JsonObject(data.get(4)).getJsonObject("usage").getInteger("completion_tokens"));
    assertEquals("[DONE]", data.get(5));
  }

  @Test
  void withoutUsageThereIsNoUsageChunk() {
    List<String> data = new ArrayList<>();
    new SseParser((id, type, d) -> data.add(d)).feed(FakeUpstream.answer(2, false).getBytes());
    assertEquals(4, data.size());
    assertEquals("[DONE]", data.get(3));
  }
}
