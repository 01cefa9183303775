package dev.streamhub.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.streamhub.stream.NewEvent;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalBrokerTest {

  private static EventBatch batch(long offset) {
    return new EventBatch(List.of(NewEvent.delta("t" + offset).at("st_feed", offset, 0)));
  }

  /** Opens a listener on a fresh context; the future holds what it received so far (read on that context). */
  private static List<Long> listen(Vertx vertx, LocalBroker feed, Context context) throws InterruptedException {
    List<Long> received = new ArrayList<>();
    CountDownLatch registered = new CountDownLatch(1);
    context.runOnContext(v -> {
      feed.subscribe("st_feed", b -> b.events().forEach(e -> received.add(e.offset())));
      registered.countDown();
    });
    registered.await();
    return received;
  }

  @Test
  void deliversEveryBatchInOrderToEveryListener(Vertx vertx, VertxTestContext ctx) throws Exception {
    LocalBroker feed = new LocalBroker(vertx);
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    List<Long> one = listen(vertx, feed, first);
    List<Long> two = listen(vertx, feed, second);
    for (long o = 0; o < 100; o++) {
      feed.publish("st_feed", batch(o));
    }
    List<Long> expected = LongStream.range(0, 100).boxed().toList();
    Promise<List<Long>> a = Promise.promise();
    Promise<List<Long>> b = Promise.promise();
    first.runOnContext(v -> a.complete(List.copyOf(one)));
    second.runOnContext(v -> b.complete(List.copyOf(two)));
    a.future().compose(x -> b.future().map(y -> List.of(x, y))).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      assertEquals(expected, both.get(0));
      assertEquals(expected, both.get(1));
      ctx.completeNow();
    })));
  }

  @Test
  void aListenerThatFallsBehindHoldsABoundedQueueAndStillGetsTheNewestBatch(Vertx vertx, VertxTestContext ctx) throws Exception {
    LocalBroker feed = new LocalBroker(vertx);
    Context context = vertx.getOrCreateContext();
    List<Long> received = listen(vertx, feed, context);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    context.runOnContext(v -> {
      blocked.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    blocked.await();
    int published = LocalBroker.MAX_QUEUED_EVENTS * 3;
    for (long o = 0; o < published; o++) {
      feed.publish("st_feed", batch(o));
    }
    release.countDown();
    List<Long> expected = new ArrayList<>(LongStream.range(0, LocalBroker.MAX_QUEUED_EVENTS).boxed().toList());
    expected.add((long) published - 1);
    context.runOnContext(v -> ctx.verify(() -> {
      assertEquals(expected, received);
      ctx.completeNow();
    }));
  }

  @Test
  void anUnregisteredListenerGetsNothingMore(Vertx vertx, VertxTestContext ctx) throws Exception {
    LocalBroker feed = new LocalBroker(vertx);
    Context context = vertx.getOrCreateContext();
    List<Long> received = new ArrayList<>();
    Promise<Broker.Registration> registration = Promise.promise();
    context.runOnContext(v -> registration.complete(feed.subscribe("st_feed", b -> b.events().forEach(e -> received.add(e.offset())))));
    registration.future().compose(r -> {
      feed.publish("st_feed", batch(0));
      return r.unregister();
    }).onComplete(ctx.succeeding(v -> {
      feed.publish("st_feed", batch(1));
      context.runOnContext(w -> ctx.verify(() -> {
        assertFalse(received.contains(1L), "received after unregistering: " + received);
        ctx.completeNow();
      }));
    }));
  }
}
