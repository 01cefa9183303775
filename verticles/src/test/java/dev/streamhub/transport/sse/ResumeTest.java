package dev.streamhub.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.streamhub.HubClient;
import dev.streamhub.HubClient.SseResponseText;
import dev.streamhub.SseFrame;
import dev.streamhub.TestHubs;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resuming {@code GET /v1/streams/{id}/events} from any offset: exactly the events after it, the
 * same bytes as the first read, no gap and no duplicate, whether the stream has finished or not.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeTest {

  /** 40 deltas, usage, done: offsets 0..41. */
  private static final int TOKENS = 40;
  private static final long LAST = TOKENS + 1;

  private static List<Long> range(long from, long toInclusive) {
    return LongStream.rangeClosed(from, toInclusive).boxed().collect(Collectors.toList());
  }

  private static List<String> raw(List<SseFrame> frames) {
    return SseFrame.events(frames).stream().map(SseFrame::raw).collect(Collectors.toList());
  }

  private static MultiMap lastEventId(long k) {
    return MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", Long.toString(k));
  }

  @Nested
  class FinishedStream {

    private Future<HubClient> hub(Vertx vertx) {
      // pages of 5 events, so every replay crosses page boundaries
      return TestHubs.start(vertx, new JsonObject().put("demo_answer_tokens", TOKENS).put("log_read_batch", 5))
          .map(hub -> new HubClient(vertx, hub.port()));
    }

    /** Reads the whole finished stream once; checks its offsets; yields its event frames. */
    private Future<List<SseFrame>> firstRead(Vertx vertx, HubClient client, String id) {
      return client.awaitFinished(vertx, id)
          .compose(meta -> client.readSse("/v1/streams/" + id + "/events"))
          .map(resp -> {
            assertEquals(200, resp.status());
            List<SseFrame> frames = resp.frames();
            assertEquals("2000", frames.get(0).retry(), "the retry hint comes first");
            List<SseFrame> events = SseFrame.events(frames);
            assertEquals(range(0, LAST), SseFrame.offsets(events));
            return events;
          });
    }

    /** For every k in 0..LAST, the events of {@code request.apply(k)} are the first read's events after k. */
    private Future<Void> everyOffset(HubClient client, List<SseFrame> full, IntFunction<Future<SseResponseText>> request) {
      Future<?> chain = Future.succeededFuture();
      for (int k = 0; k <= LAST; k++) {
        int offset = k;
        chain = chain.compose(x -> request.apply(offset)).map(resp -> {
          if (offset == LAST) {
            assertEquals(204, resp.status(), "resuming after the terminal event");
            assertEquals("", resp.body());
          } else {
            assertEquals(200, resp.status(), "resume after " + offset + ": " + resp.body());
            assertEquals(range(offset + 1, LAST), SseFrame.offsets(resp.frames()), "resume after " + offset);
            assertEquals(raw(full.subList(offset + 1, full.size())), raw(resp.frames()), "bytes after " + offset);
          }
          return resp;
        });
      }
      return chain.mapEmpty();
    }

    @Test
    void resumesFromEveryLastEventIdWithExactlyTheRestByteIdentical(Vertx vertx, VertxTestContext ctx) {
      hub(vertx).compose(client -> client.createStream(TestHubs.chat("resume every offset", 7L))
          .compose(id -> firstRead(vertx, client, id).compose(full ->
              everyOffset(client, full, k -> client.readSse("/v1/streams/" + id + "/events", lastEventId(k))))))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void resumesFromEveryLastEventIdQueryParameter(Vertx vertx, VertxTestContext ctx) {
      hub(vertx).compose(client -> client.createStream(TestHubs.chat("resume by query", 7L))
          .compose(id -> firstRead(vertx, client, id).compose(full ->
              everyOffset(client, full, k -> client.readSse("/v1/streams/" + id + "/events?lastEventId=" + k)))))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void resumesFromEveryFromParameter(Vertx vertx, VertxTestContext ctx) {
      hub(vertx).compose(client -> client.createStream(TestHubs.chat("resume by from", 7L))
          .compose(id -> firstRead(vertx, client, id).compose(full ->
              everyOffset(client, full, k -> client.readSse("/v1/streams/" + id + "/events?from=" + (k + 1)))
                  .compose(x -> client.readSse("/v1/streams/" + id + "/events?from=0"))
                  .map(resp -> {
                    assertEquals(raw(full), raw(resp.frames()));
                    return resp;
                  }))))
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void lastEventIdHeaderWinsOverLastEventIdParameterWhichWinsOverFrom(Vertx vertx, VertxTestContext ctx) {
      hub(vertx).compose(client -> client.createStream(TestHubs.chat("precedence", 7L))
          .compose(id -> client.awaitFinished(vertx, id).compose(meta -> {
            String events = "/v1/streams/" + id + "/events";
            return client.readSse(events + "?lastEventId=3&from=1", lastEventId(10))
                .compose(resp -> {
                  assertEquals(range(11, LAST), SseFrame.offsets(resp.frames()));
                  return client.readSse(events + "?lastEventId=3&from=1");
                })
                .compose(resp -> {
                  assertEquals(range(4, LAST), SseFrame.offsets(resp.frames()));
                  return client.readSse(events + "?from=30", MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", " "));
                })
                .map(resp -> {
                  assertEquals(range(30, LAST), SseFrame.offsets(resp.frames()), "a blank Last-Event-ID is no Last-Event-ID");
                  return resp;
                });
          })))
          .onComplete(ctx.succeedingThenComplete());
    }
  }

  /**
   * The test itself publishes the stream (relay mode), so "still generating" is a fact it controls
   * rather than a race against a model's pace on a loaded machine: each reader connects while the
   * stream is open, and part of what it reads is published only after it connected (so it arrives
   * live, not from the log).
   */
  @Nested
  class StreamStillGenerating {

    private static final int BATCH = 10;

    @Test
    void reconnectingWithLastEventIdMidGenerationLosesAndRepeatsNothing(Vertx vertx, VertxTestContext ctx) {
      TestHubs.start(vertx).map(hub -> new HubClient(vertx, hub.port()))
          .compose(client -> client.createExternalStream().compose(id -> {
            String events = "/v1/streams/" + id + "/events";
            List<SseFrame> received = new ArrayList<>();
            long done = 4L * BATCH;
            return client.publishDeltas(id, 0, BATCH)
                // 1st reader: replay only, drops after 5 events
                .compose(x -> readSomeThenDrop(client, events, MultiMap.caseInsensitiveMultiMap(), 5, received, null))
                // 2nd reader: resumes mid-stream, reads the rest of the log, then a batch published while it is connected
                .compose(last -> readSomeThenDrop(client, events, lastEventId(last), (int) (2 * BATCH - 1 - last), received,
                    () -> client.publishDeltas(id, BATCH, 2 * BATCH)))
                // 3rd reader: resumes, then the stream goes on and ends while it is connected
                .compose(last -> client.openSse(events, lastEventId(last)).compose(live -> {
                  assertEquals(200, live.status());
                  return live.until(frames -> !frames.isEmpty())
                      .compose(x -> client.publishDeltas(id, 2 * BATCH, (int) done))
                      .compose(x -> client.publish(id, new JsonObject().put("type", "done")))
                      .compose(x -> live.ended());
                }))
                .compose(rest -> {
                  received.addAll(SseFrame.events(rest));
                  return client.readSse(events);
                })
                .map(reread -> {
                  assertEquals(range(0, done), SseFrame.offsets(received));
                  assertEquals(raw(reread.frames()), raw(received), "what was read live is what the log replays");
                  return reread;
                });
          }))
          .onComplete(ctx.succeedingThenComplete());
    }

    /**
     * Opens a reader, reads {@code count} events (after {@code whileConnected}, if given, has
     * published more once the reader has everything logged before), checks the stream has not
     * finished, drops the connection; yields the last offset received.
     */
    private Future<Long> readSomeThenDrop(HubClient client, String events, MultiMap headers, int count,
        List<SseFrame> received, java.util.function.Supplier<Future<Void>> whileConnected) {
      return client.openSse(events, headers).compose(live -> {
        assertEquals(200, live.status());
        Future<?> more = Future.succeededFuture();
        if (whileConnected != null) {
          // once this reader has everything logged so far, what is published next can only reach it live
          more = live.until(frames -> SseFrame.events(frames).size() >= count - BATCH).compose(x -> whileConnected.get());
        }
        return more.compose(x -> live.until(frames -> SseFrame.events(frames).size() >= count)).compose(frames -> {
          List<SseFrame> got = SseFrame.events(frames);
          received.addAll(got);
          return live.disconnect().map(got.get(got.size() - 1).offset());
        });
      }).compose(last -> client.get(events.replace("/events", "")).map(meta -> {
        assertFalse(meta.bodyAsJsonObject().getBoolean("finished"), "the stream must still be open: " + meta.bodyAsString());
        return last;
      }));
    }
  }
}
