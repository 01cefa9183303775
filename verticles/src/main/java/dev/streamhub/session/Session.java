package dev.streamhub.session;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.worker.GenerateRequest;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection that reads streams (an SSE response, a WebSocket, a held long-poll, a
 * whole completion), opened by its event loop's {@link Sessions}. A transport calls
 * {@link #read} to open a reader and formats what reaches its {@link Sink}; everything around the
 * {@link Subscription} lives here, once:
 *
 * <ul>
 *   <li>the stream id and offset are checked ({@code stream_not_found}, {@code bad_offset}) and the
 *       {@link SessionGuard} asked whether the session's principal may read the stream;</li>
 *   <li>a stream that ended before the offset, an unknown or expired one, and a connection that
 *       closed while the reader opened, are settled before the transport sees the reader;</li>
 *   <li>the session is registered with the drain ({@link EdgeClients}) and counted by transport in
 *       {@code EdgeStats} from {@link Sessions#open} until {@link #close};</li>
 *   <li>every heartbeat interval it asks the transport for its heartbeat ({@link Framing#heartbeat})
 *       and runs the live path's safety net of each reader ({@link Subscription#heartbeat}), on the
 *       event loop's {@link Ticker}, so no transport can forget it (the whole completion once did);</li>
 *   <li>a reader that fails with a code its client should take to another node at once
 *       ({@code store_unavailable}: this node is on the minority side of a network partition) ends
 *       the whole session with the transport's reconnect notice ({@link Framing#moveOn});</li>
 *   <li>each open reader is counted in the node's {@link ReaderPresence}; a reader closed before its
 *       stream ended (the client went away) may start the {@link DisconnectWatch} of a stream that
 *       asked for {@code cancel_on_disconnect};</li>
 *   <li>{@link #close} undoes all of it, once, however the connection ended.</li>
 * </ul>
 *
 * <p>Confined to the event loop of its {@link Sessions}.
 */
public final class Session extends Ticker.Member implements EdgeClients.Client {

  private final Sessions sessions;
  private final Transport transport;
  private final RoutingContext context;
  /** Set at {@link Sessions#open}; a WebSocket's may be set once more by {@link Sessions#upgraded}. */
  private String principal;
  private final Framing framing;
  /** Readers opened here that may still be live; ended ones are dropped at the next tick or read. */
  private final List<Subscription> readers = new ArrayList<>(1);
  /** The stream of each of {@link #readers}, at the same index. */
  private final List<String> streams = new ArrayList<>(1);
  private boolean closed;
  /** The timer of {@link #deadline}, or -1. */
  private long deadline = -1;

  Session(Sessions sessions, Transport transport, RoutingContext context, String principal, Framing framing) {
    this.sessions = sessions;
    this.transport = transport;
    this.context = context;
    this.principal = principal;
    this.framing = framing;
  }

  /** Who the connection acts for ({@link SessionGuard#admit}): the owner of the streams it creates. */
  public String principal() {
    return principal;
  }

  void principal(String principal) {
    this.principal = principal;
  }

  /**
   * The request that opened the session (a WebSocket's upgrade request): where the router's steps
   * left what they learnt (the verified token, the client IP, the limit keys) for the {@link SessionGuard}.
   */
  public RoutingContext context() {
    return context;
  }

  /**
   * {@code request} as this session's principal starts it: owned by {@link #principal}, counted
   * against the quota of the request that opened the session ({@link Owners#quota}), the same
   * stamping as every HTTP create path ({@link Owners#own}). Fails with the guard's
   * {@code forbidden} when the principal may not create.
   */
  public Future<GenerateRequest> own(GenerateRequest request) {
    return sessions.guard().mayCreate(this).map(allowed -> request.withOwner(principal).withQuota(Owners.quota(context)));
  }

  /**
   * Succeeds when the principal may act on {@code stream} (cancel it, as read it): the guard's
   * {@link SessionGuard#mayRead}; {@code stream_not_found} for a malformed id.
   */
  public Future<Void> mayUse(String stream) {
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    return sessions.guard().mayRead(this, stream);
  }

  public Transport transport() {
    return transport;
  }

  /** True once {@link #close} ran. */
  public boolean closed() {
    return closed;
  }

  /**
   * Opens a reader of {@code stream} from offset {@code from} (inclusive) writing to {@code sink}.
   * Fails, before anything reached the sink, with {@code stream_not_found} (a malformed or unknown
   * id), {@code bad_offset}, {@code offset_expired}, the guard's {@code forbidden}, or
   * {@code bad_request} when the session is closed. Succeeds with the subscription once the sink
   * began, or with one that {@link Subscription#nothingToSend() has nothing to send} (the stream
   * ended before {@code from}), or one already ended (the replay reached the terminal event, or
   * the connection closed meanwhile). The session closes the reader when it closes. Each event
   * handed to the sink is counted by transport ({@code EdgeStats#delivered}), those read from the
   * log rather than live too ({@code EdgeStats#replayed}), and a reader opened past offset 0 as a
   * resume ({@code EdgeStats#resumed}).
   */
  public Future<Subscription> read(String stream, long from, Sink sink) {
    return read(stream, from, false, sink);
  }

  /**
   * As {@link #read(String, long, Sink)}; with {@code compact} (a client's {@code compact=true}) the
   * catch-up from the log reaches the sink as one {@code snapshot} event instead of one event per
   * delta (see {@link Subscription}), live events as they are.
   */
  public Future<Subscription> read(String stream, long from, boolean compact, Sink sink) {
    if (closed) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_REQUEST, "the connection is closed"));
    }
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    if (from < 0 || from == Long.MAX_VALUE) {
      return Future.failedFuture(new HubException(ErrorCode.BAD_OFFSET, "offset must be a non-negative integer, got " + from));
    }
    return sessions.guard().mayRead(this, stream)
        .compose(allowed -> sessions.subscribe(stream, from, compact, new MovingSink(new CountedSink(sink, sessions.stats(), transport.wire()))))
        .map(subscription -> {
          if (from > 0) {
            sessions.stats().resumed(transport.wire());
          }
          if (!subscription.nothingToSend() && !subscription.ended()) {
            if (closed) {
              subscription.close();
            } else {
              dropEnded();
              readers.add(subscription);
              streams.add(stream);
              sessions.readerOpened(stream);
              sessions.checkEarly(this, subscription);
            }
          }
          return subscription;
        });
  }

  /**
   * Runs {@code onDeadline} in {@code delayMs} milliseconds unless the session closed by then (a
   * long-poll's {@code timeout}, a whole completion's {@code completion_timeout_ms}). One deadline
   * per session; a second call replaces the first.
   */
  public void deadline(long delayMs, Runnable onDeadline) {
    if (closed) {
      return;
    }
    if (deadline >= 0) {
      sessions.cancelTimer(deadline);
    }
    deadline = sessions.timer(delayMs, () -> {
      deadline = -1;
      if (!closed) {
        onDeadline.run();
      }
    });
  }

  /**
   * Ends the session: closes its readers, cancels its deadline, leaves the heartbeat ticker and the drain, uncounts the
   * connection, tells the guard and the transport ({@link Framing#closed}). Idempotent.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (deadline >= 0) {
      sessions.cancelTimer(deadline);
      deadline = -1;
    }
    sessions.closed(this);
    for (int i = 0; i < readers.size(); i++) {
      Subscription reader = readers.get(i);
      boolean goneAway = !reader.ended();
      reader.close();
      sessions.readerClosed(streams.get(i), goneAway);
    }
    readers.clear();
    streams.clear();
    framing.closed();
  }

  @Override
  protected void tick() {
    if (closed) {
      return;
    }
    framing.heartbeat();
    if (closed || readers.isEmpty()) {
      return;
    }
    // a heartbeat can end a reader, and the session with it: walk a copy
    for (Subscription reader : readers.toArray(new Subscription[0])) {
      reader.heartbeat();
    }
    dropEnded();
  }

  /** Forgets the readers whose stream ended (terminal event sent, or failed). */
  private void dropEnded() {
    for (int i = readers.size() - 1; i >= 0; i--) {
      if (readers.get(i).ended()) {
        readers.remove(i);
        sessions.readerClosed(streams.remove(i), false);
      }
    }
  }

  /**
   * A reader failed with a code whose client should resume elsewhere at once ({@code store_unavailable}):
   * the transport's reconnect notice ends the whole session, true; false when the transport reports it
   * as an error instead.
   */
  private boolean moveOn(HubException why) {
    if (closed || why.code().terminal() != ErrorCode.Terminal.RESUME_ELSEWHERE || !framing.moveOn(why)) {
      return false;
    }
    close();
    return true;
  }

  /** The reader's sink, except that a failure the client should take elsewhere ends the session with a reconnect notice. */
  private final class MovingSink extends ForwardingSink {

    MovingSink(Sink sink) {
      super(sink);
    }

    @Override
    public void fail(HubException error) {
      if (!moveOn(error)) {
        sink.fail(error);
      }
    }
  }

  @Override
  public boolean resumable() {
    return transport.resumable();
  }

  @Override
  public void letGo() {
    if (!closed) {
      framing.letGo();
      close();
    }
  }
}
