package dev.streamhub.bench.scenario;

import dev.streamhub.bench.load.Clock;
import dev.streamhub.bench.load.Shard;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Relay mode's publisher, one per shard: for each external stream, T deltas by
 * {@code POST /v1/streams/{id}/events} at R per second, then {@code [usage, done]}. Each event's
 * data carries the stream's own sequence number ({@code seq}, from 0) and each delta the moment it
 * was sent ({@code t}, microseconds, taken when the request has its connection) so readers measure
 * end to end. The bodies are the same bytes for every relay: StreamHub keeps them as events (the
 * fields in the event's {@code data}), a peer such as Nchan relays them as its messages, and the
 * readers take order and latency from the same fields. One request in flight per stream; a stream that fell behind its
 * schedule sends its next token as soon as the previous one was answered (no bursts), and how late
 * each send was is recorded. Touched by its shard's event loop only.
 */
final class RelayPublisher {

  static final String SENT_FIELD = "t";
  private static final long TICK_MS = 5;

  private final Shard shard;
  private final int tokens;
  private final long intervalMicros;
  private final List<Pub> active = new ArrayList<>();
  /** How late each delta was sent against its schedule, microseconds. */
  final Histogram lag = new Histogram(3);
  /** Round trip of each publish POST (send to 200), microseconds. */
  final Histogram posts = new Histogram(3);
  final List<String> errors = new ArrayList<>();
  long published;
  long errorCount;
  long firstSentAt = Long.MAX_VALUE;
  long lastSentAt = Long.MIN_VALUE;
  private long timer = -1;

  private static final class Pub {
    final String stream;
    final long start;
    int sent;
    long due;
    boolean inFlight;
    boolean finished;

    Pub(String stream, long start) {
      this.stream = stream;
      this.start = start;
      this.due = start;
    }
  }

  RelayPublisher(Shard shard, int tokens, int rate, int connections) {
    this.shard = shard;
    this.tokens = tokens;
    this.intervalMicros = 1_000_000L / rate;
    shard.openPublisher(connections);
  }

  /** Starts publishing to {@code stream} now. */
  void add(String stream) {
    if (timer < 0) {
      timer = shard.context().owner().setPeriodic(TICK_MS, id -> tick());
    }
    Pub p = new Pub(stream, Clock.micros());
    active.add(p);
    send(p);
  }

  void stop() {
    if (timer >= 0) {
      shard.context().owner().cancelTimer(timer);
      timer = -1;
    }
  }

  private void tick() {
    long now = Clock.micros();
    for (Pub p : active) {
      if (!p.inFlight && !p.finished && now >= p.due) {
        send(p);
      }
    }
    active.removeIf(p -> p.finished);
  }

  private void send(Pub p) {
    p.inFlight = true;
    boolean last = p.sent == tokens;
    long due = p.due;
    long[] sentAt = {0};
    int index = p.sent;
    shard.publish(p.stream, () -> {
      long now = Clock.micros();
      sentAt[0] = now;
      if (last) {
        return Buffer.buffer("[{\"type\":\"usage\",\"data\":{\"prompt_tokens\":0,\"completion_tokens\":" + tokens
            + ",\"total_tokens\":" + tokens + ",\"seq\":" + tokens + "}},{\"type\":\"done\",\"data\":{\"finish_reason\":\"stop\",\"seq\":"
            + (tokens + 1) + "}}]");
      }
      lag.recordValue(Math.max(0, now - due));
      firstSentAt = Math.min(firstSentAt, now);
      lastSentAt = Math.max(lastSentAt, now);
      return Buffer.buffer("{\"type\":\"delta\",\"data\":{\"text\":\" t" + index + "\",\"seq\":" + index + ",\"" + SENT_FIELD + "\":" + now + "}}");
    }).onComplete(ar -> {
      p.inFlight = false;
      long now = Clock.micros();
      if (sentAt[0] > 0) {
        posts.recordValue(Math.max(0, now - sentAt[0]));
      }
      if (ar.failed()) {
        errorCount++;
        if (errors.size() < 5) {
          errors.add(String.valueOf(ar.cause().getMessage()));
        }
        p.finished = true;
        return;
      }
      if (last) {
        p.finished = true;
        return;
      }
      published++;
      p.sent++;
      p.due = p.sent == tokens ? now : p.start + p.sent * intervalMicros;
      if (now >= p.due) {
        send(p);
      }
    });
  }
}
