package dev.streamhub.streamlog.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bound on one stream's appends in flight from a member ({@link InFlightAppends}): never more
 * than {@link InFlightAppends#PER_STREAM} sent at once (so a retry stays inside the stream's
 * remembered request ids), the rest sent in the order they came, each on its caller's context,
 * and other streams not held by a full one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InFlightAppendsTest {

  @Test
  void atMostHalfTheRememberedAppendsAreSentAtOnceAndTheRestInOrder(Vertx vertx) throws Exception {
    InFlightAppends inFlight = new InFlightAppends(vertx);
    Context caller = vertx.getOrCreateContext();
    List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
    List<Promise<Integer>> unanswered = Collections.synchronizedList(new ArrayList<>());
    List<Context> sentOn = Collections.synchronizedList(new ArrayList<>());
    int appends = 100;
    List<Future<Integer>> outcomes = callOn(caller, () -> IntStream.range(0, appends).mapToObj(i -> inFlight.run("s", () -> {
      sent.add(i);
      sentOn.add(Vertx.currentContext());
      Promise<Integer> reply = Promise.promise();
      unanswered.add(reply);
      return reply.future();
    })).collect(Collectors.toList()));

    assertEquals(InFlightAppends.PER_STREAM, sent.size(), "sent at once");
    assertEquals(appends, inFlight.pending("s"));
    // another stream is not held by this one
    assertEquals("other", callOn(caller, () -> inFlight.run("t", () -> Future.succeededFuture("other"))).toCompletionStage()
        .toCompletableFuture().get(5, TimeUnit.SECONDS));

    // answer the oldest in flight one at a time, from another context: the next is sent each time
    Context other = vertx.getOrCreateContext();
    for (int answered = 0; answered < appends; answered++) {
      Promise<Integer> reply = unanswered.get(answered);
      int value = answered;
      callOn(other, () -> {
        reply.complete(value);
        return null;
      });
      int expectedSent = Math.min(appends, InFlightAppends.PER_STREAM + answered + 1);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (sent.size() < expectedSent && System.nanoTime() < until) {
        Thread.sleep(1);
      }
      assertEquals(expectedSent, sent.size(), "sent after " + (answered + 1) + " answers");
    }
    assertEquals(IntStream.range(0, appends).boxed().collect(Collectors.toList()), sent, "sent in the order they came");
    for (int i = 0; i < appends; i++) {
      assertEquals(i, outcomes.get(i).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertSame(caller, sentOn.get(i), "append " + i + " sent on its caller's context");
    }
    assertEquals(0, inFlight.pending("s"));
  }

  @Test
  void anAppendThatThrowsFailsAloneAndFreesItsPlace(Vertx vertx) throws Exception {
    InFlightAppends inFlight = new InFlightAppends(vertx);
    Future<String> failed = inFlight.run("s", () -> {
      throw new IllegalStateException("boom");
    });
    assertEquals("boom", failed.cause().getMessage());
    assertEquals(0, inFlight.pending("s"));
  }

  private static <T> T callOn(Context context, java.util.function.Supplier<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> result.complete(action.get()));
    return result.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
