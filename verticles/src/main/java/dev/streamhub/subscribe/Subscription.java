package dev.streamhub.subscribe;

import dev.streamhub.broker.EventBatch;
import dev.streamhub.broker.Fanout;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.ReadResult;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import java.util.ArrayDeque;

/**
 * One client reading one stream from an offset: the replay-then-live algorithm every transport
 * shares.
 *
 * <ol>
 *   <li>Join the stream's live feed first ({@link Fanout}, over the hub's
 *       {@link dev.streamhub.broker.Broker}), so nothing appended from now on can be missed
 *       (writers append, then publish).</li>
 *   <li>Read the log from {@code from} and send page after page; live events that arrive meanwhile
 *       are buffered (a bounded number; beyond it only the highest offset is remembered).</li>
 *   <li>At the end of the log, drain the buffer dropping offsets already sent; if it does not
 *       continue exactly at the next offset, read the log again. Then go live.</li>
 *   <li>Live, an event at the next offset is sent, an older one dropped, a newer one (a gap) sends
 *       the subscription back to reading the log.</li>
 *   <li>After each page and each live batch the sink is told to flush, so a transport can send a
 *       page of a thousand events as one write and a live event at once.</li>
 *   <li>When the sink's write queue is full the subscription stops taking live events and reads
 *       the log again once the sink drains: a slow client costs the hub one page, never a queue
 *       that grows with the stream, and misses nothing.</li>
 * </ol>
 *
 * <p><b>Compact</b> subscriptions ({@code compact=true}) merge what they read from the log: the
 * plain deltas of one catch-up (the replay at the start, the catch-up after a full write queue or a
 * gap) are sent as one {@code snapshot} event ({@link Rollup}) at offset N, the last delta merged,
 * once the log has no more to give or a non-delta event comes (a {@code binary} event in the middle
 * is sent as itself, so the catch-up is then a snapshot before it, the binary event, and a snapshot
 * after it); live events are sent as they are. {@link #next()} never counts merged deltas not yet
 * sent, so resuming stays exact. A read that starts at the end of the log gets no snapshot.
 *
 * <p>What reaches the sink is in offset order, each offset once: an event at its offset, or a
 * snapshot standing for the offsets {@code from..to}.
 *
 * <p>A subscription runs on the event loop that opened it; live events come from that event loop's
 * {@link Fanout} (one live registration per stream, shared by its subscriptions there).
 */
public final class Subscription extends Fanout.Listener {

  /** Live events kept while reading the log; past this, the log is simply read again. */
  static final int MAX_BUFFERED = 256;

  private enum Mode { READING, LIVE, PAUSED, ENDED }

  private final Fanout feeds;
  private final StreamLog log;
  private final String stream;
  private final int batch;
  private final Sink sink;
  /** The deltas read from the log and not sent yet, for a compact subscription; null otherwise. */
  private final Rollup rollup;
  /** Live events held while reading the log; null when there are none (most subscriptions, most of the time). */
  private ArrayDeque<Event> buffered;
  private Mode mode = Mode.READING;
  private long next;
  private long highestSeen = -1;
  private boolean nothingToSend;
  private boolean heardSinceHeartbeat;

  private Subscription(Fanout feeds, StreamLog log, String stream, int batch, boolean compact, Sink sink) {
    this.feeds = feeds;
    this.log = log;
    this.stream = stream;
    this.batch = batch;
    this.sink = sink;
    this.rollup = compact ? new Rollup(stream) : null;
  }

  /**
   * Opens a subscription to {@code stream} from offset {@code from} (inclusive). The future fails,
   * before anything reached the sink, with {@code stream_not_found}, {@code bad_offset} or
   * {@code offset_expired}; once it succeeds the sink has begun and events flow.
   */
  public static Future<Subscription> open(Fanout feeds, StreamLog log, String stream, long from, int batch, Sink sink) {
    return open(feeds, log, stream, from, batch, false, sink);
  }

  /**
   * As {@link #open(Fanout, StreamLog, String, long, int, Sink)}; with {@code compact} the deltas of
   * each catch-up from the log reach the sink as one {@code snapshot} event (see the class comment).
   */
  public static Future<Subscription> open(Fanout feeds, StreamLog log, String stream, long from, int batch, boolean compact, Sink sink) {
    Subscription subscription = new Subscription(feeds, log, stream, batch, compact, sink);
    return subscription.start(from).map(subscription);
  }

  /**
   * True when the stream had already ended before {@code from}: the subscription sent nothing and
   * is closed (an SSE client is told 204 so that it stops reconnecting).
   */
  public boolean nothingToSend() {
    return nothingToSend;
  }

  /** True once the stream's terminal event was sent, or the subscription failed or was closed. */
  public boolean ended() {
    return mode == Mode.ENDED;
  }

  /** The next offset this subscription would send: the first one the sink has not had. */
  public long next() {
    return rollup == null || rollup.isEmpty() ? next : rollup.from();
  }

  /** Live events held while reading the log, at most {@link #MAX_BUFFERED}; for tests and metrics. */
  int bufferedCount() {
    return buffered == null ? 0 : buffered.size();
  }

  /**
   * The live path's safety net, called on a transport's heartbeat: a live subscription that heard
   * nothing since the previous call reads the log from its next offset. In a cluster the event bus
   * learns of a new subscriber eventually, not at once (and a membership change can lose that news);
   * a subscriber it does not know of would otherwise wait for ever. The log has everything, so a
   * quiet subscription asks it, at most once per heartbeat.
   *
   * @return true when the live path delivered to this subscription since the previous call (the
   *     event bus knows where it is), false when it was quiet
   */
  public boolean heartbeat() {
    boolean heard = heardSinceHeartbeat;
    if (mode == Mode.LIVE && !heard) {
      readLog();
    }
    heardSinceHeartbeat = false;
    return heard;
  }

  /** Stops the subscription (the client went away); nothing more reaches the sink. */
  public Future<Void> close() {
    if (mode == Mode.ENDED) {
      return Future.succeededFuture();
    }
    mode = Mode.ENDED;
    buffered = null;
    if (rollup != null && !rollup.isEmpty()) {
      next = rollup.from();
      rollup.clear();
    }
    return feeds.leave(this);
  }

  private Future<Void> start(long from) {
    next = from;
    return feeds.join(stream, this)
        .compose(registered -> log.read(stream, from, batch))
        .onFailure(err -> feeds.leave(this))
        .map(first -> {
          if (first.finished() && first.events().isEmpty()) {
            nothingToSend = true;
            close();
          } else {
            sink.begin();
            onPage(first);
          }
          return null;
        });
  }

  @Override
  protected void onLive(EventBatch batch) {
    if (mode == Mode.ENDED) {
      return;
    }
    heardSinceHeartbeat = true;
    if (mode != Mode.LIVE) {
      highestSeen = Math.max(highestSeen, batch.lastOffset());
      if (mode == Mode.READING) {
        if (buffered == null) {
          buffered = new ArrayDeque<>();
        }
        for (Event e : batch.events()) {
          if (buffered.size() < MAX_BUFFERED) {
            buffered.add(e);
          }
        }
      }
      return;
    }
    for (Event e : batch.events()) {
      if (e.offset() < next) {
        continue;
      }
      if (e.offset() > next) {
        highestSeen = Math.max(highestSeen, batch.lastOffset());
        sink.flush();
        readLog();
        return;
      }
      if (!deliver(e)) {
        return;
      }
    }
    sink.flush();
  }

  private void readLog() {
    mode = Mode.READING;
    log.read(stream, next, batch).onComplete(ar -> {
      if (mode == Mode.ENDED) {
        return;
      }
      if (ar.failed()) {
        fail(HubException.of(ar.cause()));
      } else {
        onPage(ar.result());
      }
    });
  }

  private void onPage(ReadResult page) {
    int replayed = 0;
    for (Event e : page.events()) {
      if (e.offset() >= next) {
        replayed++;
        if (!take(e)) {
          sink.replayed(replayed);
          return;
        }
      }
    }
    sink.replayed(replayed);
    sink.flush();
    if (page.events().size() == batch) {
      readLog();
      return;
    }
    if (!sendRollup()) {
      return;
    }
    while (buffered != null && !buffered.isEmpty()) {
      Event e = buffered.poll();
      if (e.offset() < next) {
        continue;
      }
      if (e.offset() > next) {
        break;
      }
      if (!deliver(e)) {
        return;
      }
    }
    buffered = null;
    sink.flush();
    if (highestSeen >= next) {
      readLog();
    } else {
      mode = Mode.LIVE;
    }
  }

  /** An event read from the log: merged into the rollup (compact), else sent after the rollup. */
  private boolean take(Event e) {
    if (rollup != null) {
      if (rollup.add(e)) {
        next = e.offset() + 1;
        return true;
      }
      if (!sendRollup()) {
        return false;
      }
    }
    return deliver(e);
  }

  /** Sends the merged deltas, if any, as one snapshot; false when the subscription stopped taking events. */
  private boolean sendRollup() {
    return rollup == null || rollup.isEmpty() || deliver(rollup.take());
  }

  /** Sends one event; false when the subscription stopped taking events (ended or paused). */
  private boolean deliver(Event e) {
    sink.send(e);
    next = e.offset() + 1;
    if (e.type().isTerminal()) {
      close();
      sink.end();
      return false;
    }
    if (sink.writeQueueFull()) {
      mode = Mode.PAUSED;
      buffered = null;
      sink.flush();
      sink.drainHandler(drained -> {
        if (mode == Mode.PAUSED) {
          readLog();
        }
      });
      return false;
    }
    return true;
  }

  private void fail(HubException error) {
    close();
    sink.fail(error);
  }
}
