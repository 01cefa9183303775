package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import io.vertx.core.Vertx;

/**
 * A test hub (default config) with one demo stream of at most {@code max_tokens} tokens that has
 * finished: the fixture of tests that read or refuse reads of a stream that no longer changes.
 * {@code next} is the stream's {@code next_offset} once finished.
 */
record FinishedStream(Hub hub, HubClient client, String id, long next) {

  /** What a test does with the stream; the hub stops afterwards, whatever it throws. */
  interface Check {
    void run(FinishedStream stream) throws Exception;
  }

  /** Starts a hub, creates and waits for the stream ({@code question}, seed 1), runs {@code check}, stops the hub. */
  static void check(Vertx vertx, String question, int maxTokens, Check check) throws Exception {
    Hub hub = await(TestHubs.start(vertx));
    try {
      HubClient client = new HubClient(vertx, hub.port());
      String id = await(client.createStream(TestHubs.chat(question, 1L).put("max_tokens", maxTokens)));
      long next = await(client.awaitFinished(vertx, id)).getLong("next_offset");
      check.run(new FinishedStream(hub, client, id, next));
    } finally {
      await(hub.stop());
    }
  }
}
