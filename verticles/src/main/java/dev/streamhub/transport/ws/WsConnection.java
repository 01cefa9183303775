package dev.streamhub.transport.ws;

import dev.streamhub.auth.WsIdentity;
import dev.streamhub.config.WsConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.subscribe.LiveFeeds;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.transport.EdgeClients;
import dev.streamhub.transport.EdgeStats;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.transport.Ticker;
import dev.streamhub.worker.Generations;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket on {@code /v1/ws}: several streams multiplexed, each through the shared
 * {@link Subscription} with a per-stream {@link Sink} over this socket. Pings the client and closes
 * a socket that stopped answering (on the event loop's {@link Ticker}, not a timer of its own).
 */
final class WsConnection extends Ticker.Member implements EdgeClients.Client {

  static final short NORMAL = 1000;
  static final short GOING_AWAY = 1001;
  static final short TOO_BIG = 1009;
  static final short INTERNAL_ERROR = 1011;
  /** RFC 6455 "service restart": the node is draining; reconnect (to another node) and resubscribe. */
  static final short SERVICE_RESTART = 1012;

  private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
  private static final Buffer PING = Buffer.buffer("streamhub");

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final StreamLog log;
  private final Generations generations;
  private final WsConfig config;
  private final int readBatch;
  private final WsIdentity identity;
  private final EdgeStats stats;
  private final EdgeClients clients;
  private final Ticker pings;
  private final LiveFeeds feeds;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final List<Handler<Void>> waitingForDrain = new ArrayList<>();
  private long lastHeard = System.nanoTime();
  private boolean closed;

  WsConnection(Vertx vertx, ServerWebSocket ws, StreamLog log, Generations generations, WsConfig config, int readBatch,
      WsIdentity identity, EdgeStats stats, Ticker pings, LiveFeeds feeds, EdgeClients clients) {
    this.vertx = vertx;
    this.ws = ws;
    this.log = log;
    this.generations = generations;
    this.config = config;
    this.readBatch = readBatch;
    this.identity = identity;
    this.stats = stats;
    this.clients = clients;
    this.pings = pings;
    this.feeds = feeds;
  }

  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(frame -> {
      heard();
      sendError(null, null, new HubException(ErrorCode.BAD_REQUEST, "binary frames are not accepted from clients"));
    });
    ws.pongHandler(pong -> heard());
    ws.drainHandler(drained -> onDrain());
    ws.exceptionHandler(this::onException);
    ws.closeHandler(gone -> shutdown());
    pings.join(this);
    clients.add(this);
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /** The node is draining: stop every subscription and close with 1012; the client resumes elsewhere. */
  @Override
  public void letGo() {
    if (!closed) {
      shutdown();
      ws.close(SERVICE_RESTART, "draining");
    }
  }

  private void onText(String text) {
    heard();
    WsMessage message;
    try {
      message = WsMessage.parse(text);
    } catch (HubException e) {
      sendError(requestIdOf(text), null, e);
      return;
    }
    if (message instanceof WsMessage.Create create) {
      create(create);
    } else if (message instanceof WsMessage.Subscribe subscribe) {
      subscribe(subscribe.stream(), subscribe.from());
    } else if (message instanceof WsMessage.Unsubscribe unsubscribe) {
      unsubscribe(unsubscribe.stream(), "client");
    } else if (message instanceof WsMessage.Cancel cancel) {
      cancel(cancel.stream());
    } else if (message instanceof WsMessage.Ping ping) {
      send(new JsonObject().put("type", "pong").put("id", ping.id()));
    }
  }

  private void create(WsMessage.Create create) {
    identity.mayCreate()
        .compose(may -> generations.start(create.request().model(), identity.owner(), identity.quota(), create.request().messages(),
            create.request().maxTokens(), create.request().seed()))
        .onSuccess(meta -> {
          send(new JsonObject()
              .put("type", "stream.created")
              .put("request_id", create.requestId())
              .put("stream", meta.id())
              .put("model", meta.model())
              .put("created", meta.createdAt() / 1000));
          subscribe(meta.id(), 0);
        })
        .onFailure(err -> sendError(create.requestId(), null, err));
  }

  private void subscribe(String stream, long from) {
    if (!StreamIds.looksValid(stream)) {
      sendError(null, stream, HubException.streamNotFound(stream));
      return;
    }
    Subscription previous = subscriptions.remove(stream);
    Future<Void> unsubscribed = previous == null ? Future.succeededFuture() : previous.close();
    unsubscribed
        .compose(v -> identity.mayUse(stream))
        .compose(v -> Subscription.open(feeds, log, stream, from, readBatch, new StreamSink(stream)))
        .onSuccess(subscription -> {
          if (subscription.nothingToSend()) {
            sendUnsubscribed(stream, subscription.next(), "ended");
          } else if (closed) {
            subscription.close();
          } else if (!subscription.ended()) {
            Subscription raced = subscriptions.put(stream, subscription);
            if (raced != null) {
              raced.close();
            }
          }
        })
        .onFailure(err -> sendError(null, stream, err));
  }

  private void unsubscribe(String stream, String reason) {
    Subscription subscription = subscriptions.remove(stream);
    if (subscription == null) {
      sendError(null, stream, new HubException(ErrorCode.BAD_REQUEST, "not subscribed to '" + stream + "'"));
      return;
    }
    subscription.close();
    sendUnsubscribed(stream, subscription.next(), reason);
  }

  private void cancel(String stream) {
    Future.succeededFuture(stream)
        .compose(id -> StreamIds.looksValid(id) ? identity.mayUse(id).compose(may -> generations.cancel(id)) : Future.failedFuture(HubException.streamNotFound(id)))
        .onSuccess(event -> send(new JsonObject().put("type", "response.cancelled").put("stream", stream).put("cancelled_offset", event.offset())))
        .onFailure(err -> sendError(null, stream, err));
  }

  private void sendUnsubscribed(String stream, long next, String reason) {
    send(new JsonObject().put("type", "stream.unsubscribed").put("stream", stream).put("next", next).put("reason", reason));
  }

  /** {@code {"type":"error", "error":{code, message, type}}}, with the request or stream it is about. */
  private void sendError(String requestId, String stream, Throwable err) {
    JsonObject message = ErrorResponses.body(HubException.of(err)).put("type", "error");
    if (requestId != null) {
      message.put("request_id", requestId);
    }
    if (stream != null) {
      message.put("stream", stream);
    }
    send(message);
  }

  private void send(JsonObject message) {
    if (!closed) {
      writeText(message.encode());
    }
  }

  private void writeText(String text) {
    stats.wrote(text.length());
    ws.writeTextMessage(text);
  }

  private void heard() {
    lastHeard = System.nanoTime();
  }

  /** Every {@code ws_ping_interval_ms}: a ping, or a close when nothing was heard for {@code ws_idle_timeout_ms}. */
  @Override
  protected void tick() {
    if ((System.nanoTime() - lastHeard) / 1_000_000 > config.idleTimeoutMs()) {
      ws.close(GOING_AWAY, "no pong from the client");
      return;
    }
    ws.writePing(PING);
    List.copyOf(subscriptions.values()).forEach(Subscription::heartbeat);
  }

  /**
   * A frame or a message over {@code ws_max_message_bytes} closes with 1009 (Netty rejects a single
   * frame over the frame limit; Vert.x rejects a fragmented message over the message limit); other
   * protocol violations close with the status Netty names (1002).
   */
  private void onException(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException) {
      CorruptedWebSocketFrameException corrupted = (CorruptedWebSocketFrameException) err;
      ws.close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
    } else if (String.valueOf(err.getMessage()).contains("max message size")) {
      ws.close(TOO_BIG, "message larger than " + config.maxMessageBytes() + " bytes");
    } else {
      LOG.debug("websocket error: {}", err.getMessage());
    }
  }

  private void onDrain() {
    List<Handler<Void>> waiting = new ArrayList<>(waitingForDrain);
    waitingForDrain.clear();
    waiting.forEach(handler -> handler.handle(null));
  }

  private void shutdown() {
    closed = true;
    clients.remove(this);
    pings.leave(this);
    subscriptions.values().forEach(Subscription::close);
    subscriptions.clear();
    waitingForDrain.clear();
  }

  private static String requestIdOf(String text) {
    try {
      Object id = new JsonObject(text).getValue("request_id");
      return id instanceof String ? (String) id : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  /** The events of one stream on this socket. */
  private final class StreamSink implements Sink {
    private final String stream;

    StreamSink(String stream) {
      this.stream = stream;
    }

    @Override
    public void send(Event event) {
      if (closed || ws.isClosed()) {
        return;
      }
      if (event.type() == EventType.BINARY) {
        Buffer frame = BinaryFrames.encode(event);
        stats.wrote(frame.length());
        ws.writeBinaryMessage(frame);
      } else {
        writeText(event.wire());
      }
    }

    @Override
    public boolean writeQueueFull() {
      // The socket may be closed a moment before its close handler runs; it then takes nothing,
      // and asking it throws.
      return !closed && !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
      waitingForDrain.add(handler);
    }

    @Override
    public void end() {
      subscriptions.remove(stream);
    }

    @Override
    public void fail(HubException error) {
      subscriptions.remove(stream);
      sendError(null, stream, error);
    }
  }
}
