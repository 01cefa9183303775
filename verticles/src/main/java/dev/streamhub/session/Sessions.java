package dev.streamhub.session;

import dev.streamhub.broker.Fanout;
import dev.streamhub.config.HubConfig;
import dev.streamhub.ops.Drain;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.subscribe.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * The sessions of one edge event loop (one per edge verticle instance): where every transport
 * opens its {@link Session}, and what they share there: the stream log, the event loop's live
 * feeds (one live registration per stream), the heartbeat tickers, the drain registry, the edge's
 * counters and the {@link SessionGuard}.
 *
 * <p>It is the event loop's drain participant ({@link Drain.Participant}): a final drain (SIGTERM)
 * and an admin drain ({@code POST /admin/drain}) let its sessions go the same way; after an admin
 * drain's {@link #resume} new sessions are kept again.
 *
 * <p>Like SockJS's session registry: transports parse their request and format frames; this class
 * and {@link Session} do the rest. Not thread safe: used from its event loop only.
 */
public final class Sessions implements Drain.Participant {

  /** On a request admitted by {@link #admit} whose session is not open yet: its principal. */
  private static final String ADMITTED = "streamhub.session_admitted";

  private final Vertx vertx;
  private final StreamLog log;
  private final Fanout feeds;
  private final int readBatch;
  private final EdgeStats stats;
  private final SessionGuard guard;
  private final EdgeClients clients;
  /** One timer for the heartbeats of every HTTP session here ({@code sse_heartbeat_ms}). */
  private final Ticker httpBeats;
  /** One timer for the pings of every WebSocket here ({@code ws_ping_interval_ms}). */
  private final Ticker wsBeats;
  /** One timer for the early checks of new readers ({@link EarlyCheck}); null when the heartbeats are as frequent. */
  private final Ticker earlyChecks;
  /** Cancels a stream that opted in to {@code cancel_on_disconnect} when its readers are gone. */
  private final DisconnectWatch disconnects;
  /** {@code completion_timeout_ms}: how long a whole answer ({@link Transport#COMPLETION}) may take. */
  private final long completionTimeoutMs;

  /**
   * Created on, and used from, one edge event loop.
   *
   * @param log the stream log readers read
   * @param stats the edge's counters (connections by transport)
   * @param guard what admits connections and reads
   * @param feeds this event loop's live feeds over the hub's broker
   * @param disconnects the {@code cancel_on_disconnect} watch, told when a node's last reader of a stream went away
   */
  public Sessions(Vertx vertx, HubConfig config, StreamLog log, EdgeStats stats, SessionGuard guard, Fanout feeds,
      DisconnectWatch disconnects) {
    this.disconnects = disconnects;
    this.vertx = vertx;
    this.log = log;
    this.feeds = feeds;
    this.readBatch = config.log().readBatch();
    this.completionTimeoutMs = config.http().completionTimeoutMs();
    this.stats = stats;
    this.guard = guard;
    this.clients = new EdgeClients(vertx);
    this.httpBeats = new Ticker(vertx, config.sse().heartbeatMs());
    this.wsBeats = new Ticker(vertx, config.ws().pingIntervalMs());
    long slowest = Math.min(config.sse().heartbeatMs(), config.ws().pingIntervalMs());
    this.earlyChecks = slowest > 2 * EarlyCheck.INTERVAL_MS ? new Ticker(vertx, EarlyCheck.INTERVAL_MS) : null;
  }

  /**
   * Opens a session for a client connection of {@code transport}: the guard admits it (the future
   * fails with the guard's {@code unauthorized}, {@code forbidden} or {@code rate_limited}, and
   * nothing is counted), then it is counted, joins its heartbeat ticker and the drain. An HTTP
   * transport's session closes by itself when the response ends or the connection closes; a
   * WebSocket's transport calls {@link Session#close} from the socket's close handler.
   *
   * <p>While the node drains, a resumable session is let go at once ({@link Framing#letGo}).
   */
  public Future<Session> open(Transport transport, RoutingContext rc, Framing framing) {
    String admitted = rc.remove(ADMITTED);
    Future<String> admission = admitted != null ? Future.succeededFuture(admitted) : guard.admit(transport, rc);
    return admission.map(principal -> {
      Session session = new Session(this, transport, rc, principal, framing);
      stats.connection(transport.wire(), 1);
      (transport == Transport.WEBSOCKET ? wsBeats : httpBeats).join(session);
      if (transport.http()) {
        rc.addEndHandler(ended -> session.close());
        if (rc.response().closed()) {
          session.close();
          return session;
        }
      }
      clients.add(session);
      return session;
    });
  }

  /**
   * Admits the connection {@code rc} before what it will read exists: a create path (chat
   * completions, Responses) asks here before it starts the generation, so that a connection the
   * guard refuses ({@code unauthorized}, {@code forbidden}, 429 {@code rate_limited}) starts
   * nothing: no stream, no worker asked, no concurrent-stream slot or token budget taken. The
   * admission is kept on {@code rc}: the {@link #open} that follows for it uses it instead of asking
   * the guard again. If no session opens before the response ends (the generation could not start:
   * {@code model_not_found}, a concurrent-stream limit...), the slots the guard took are given back
   * ({@link SessionGuard#abandoned}).
   *
   * @return the principal the connection acts for
   */
  public Future<String> admit(Transport transport, RoutingContext rc) {
    return guard.admit(transport, rc).map(principal -> {
      rc.put(ADMITTED, principal);
      rc.addEndHandler(ended -> {
        if (rc.remove(ADMITTED) != null) {
          guard.abandoned(rc);
        }
      });
      return principal;
    });
  }

  /**
   * A WebSocket session's socket was upgraded: the guard may authenticate it now
   * ({@link SessionGuard#upgraded}); the session then acts for the principal it yields. Fails,
   * the socket closed by the guard, when it refuses; the caller closes the session.
   */
  public Future<Session> upgraded(Session session, ServerWebSocket ws) {
    return guard.upgraded(session, ws).map(principal -> {
      session.principal(principal);
      return session;
    });
  }

  /**
   * Lets every session go for a drain: resumable ones at once, the others at {@code deadline}
   * (epoch ms); completes when none is left.
   */
  @Override
  public Future<Void> drain(long deadline) {
    return clients.drain(deadline);
  }

  /** An admin drain ({@code POST /admin/drain}): lets every session go as {@link #drain} does. */
  @Override
  public Future<Void> pause(long deadline) {
    return clients.pause(deadline);
  }

  /** Back in service after {@link #pause} ({@code POST /admin/undrain}): new sessions are kept again. */
  @Override
  public void resume() {
    clients.resume();
  }

  /** Sessions open here now (for tests). */
  public int size() {
    return clients.size();
  }

  public EdgeStats stats() {
    return stats;
  }

  SessionGuard guard() {
    return guard;
  }

  Future<Subscription> subscribe(String stream, long from, boolean compact, Sink sink) {
    return Subscription.open(feeds, log, stream, from, readBatch, compact, sink);
  }

  /** {@code completion_timeout_ms}, in ms: the deadline of a whole answer's session ({@link Transport#COMPLETION}). */
  public long completionTimeoutMs() {
    return completionTimeoutMs;
  }

  /** The {@code cancel_on_disconnect} watch: where a create path enters an opted-in stream. */
  public DisconnectWatch disconnects() {
    return disconnects;
  }

  /** A reader of {@code stream} opened in a session here. */
  void readerOpened(String stream) {
    disconnects.presence().opened(stream);
  }

  /**
   * A reader of {@code stream} closed; {@code goneAway} when its stream had not ended (the client
   * left or the session closed). The node's last reader going away starts the disconnect watch.
   */
  void readerClosed(String stream, boolean goneAway) {
    if (disconnects.presence().closed(stream) && goneAway) {
      disconnects.lastLeft(stream);
    }
  }

  /** Checks the live path of {@code reader}, just opened in {@code session}, early ({@link EarlyCheck}). */
  void checkEarly(Session session, Subscription reader) {
    if (earlyChecks != null) {
      earlyChecks.join(new EarlyCheck(earlyChecks, session, reader));
    }
  }

  long timer(long delayMs, Runnable action) {
    return vertx.setTimer(Math.max(1, delayMs), id -> action.run());
  }

  void cancelTimer(long id) {
    vertx.cancelTimer(id);
  }

  /** Undoes what {@link #open} did; called once by {@link Session#close}. */
  void closed(Session session) {
    (session.transport() == Transport.WEBSOCKET ? wsBeats : httpBeats).leave(session);
    clients.remove(session);
    stats.connection(session.transport().wire(), -1);
    guard.released(session);
  }
}
