package dev.streamhub.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.config.ConversationConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A conversation stays within its turn and byte limits by dropping its oldest turns, never the newest. */
class ConversationBoundsTest {

  private static List<String> contents(Conversation c) {
    return c.turns().stream().map(Turn::content).collect(Collectors.toList());
  }

  private static Conversation withTurns(ConversationConfig limits, String... contents) {
    Conversation c = Conversation.fresh("cv_AAAAAAAAAAAAAAAAAAAAAA", "alice", 1);
    for (String content : contents) {
      c = c.append(List.of(Turn.user(content, null)), limits);
    }
    return c;
  }

  @Test
  void dropsTheOldestTurnsBeyondMaxTurns() {
    Conversation c = withTurns(new ConversationConfig(3, 1 << 20, 60), "a", "b", "c", "d", "e");
    assertEquals(List.of("c", "d", "e"), contents(c));
  }

  @Test
  void dropsTheOldestTurnsBeyondMaxBytesButKeepsTheNewestEvenIfAloneTooBig() {
    String kilobyte = "x".repeat(1000);
    // each turn is {"role":"user","content":"x...x"} = 1029 bytes, plus one
    Conversation c = withTurns(new ConversationConfig(100, 2100, 60), "1" + kilobyte, "2" + kilobyte, "3" + kilobyte);
    assertEquals(List.of("2" + kilobyte, "3" + kilobyte), contents(c));
    Conversation huge = withTurns(new ConversationConfig(100, 1024, 60), "a", "y".repeat(5000));
    assertEquals(List.of("y".repeat(5000)), contents(huge));
  }

  @Test
  void roundTripsThroughItsStoredJson() {
    Conversation c = withTurns(ConversationConfig.defaults(), "hello")
        .append(List.of(new Turn(Turn.ASSISTANT, "partial", "st_x", "error", new JsonObject().put("code", "worker_lost").put("message", "m"))),
            ConversationConfig.defaults());
    assertEquals(c, Conversation.fromJson(new JsonObject(c.toJson().encode())));
  }
}
