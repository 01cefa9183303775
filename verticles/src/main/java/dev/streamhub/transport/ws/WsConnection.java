package dev.streamhub.transport.ws;

import dev.streamhub.config.WsConfig;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.internal.ChannelReads;
import dev.streamhub.session.Framing;
import dev.streamhub.session.Session;
import dev.streamhub.session.Transport;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.subscribe.Sink;
import dev.streamhub.subscribe.Subscription;
import dev.streamhub.transport.ErrorResponses;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.Generations;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket on {@code /v1/ws}: the JSON messages, several streams multiplexed, each read
 * through the socket's {@link Session} with a per-stream {@link Sink} over this socket. As the
 * session's {@link Framing}: pings the client on its heartbeat and closes a socket that stopped
 * answering; on a drain, closes with 1012.
 */
final class WsConnection implements Framing {

  /** RFC 6455 1001: the client stopped answering pings. */
  static final short GOING_AWAY = (short) WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code();
  /** RFC 6455 1009 (the error table's {@code payload_too_large}): a message over {@code ws_max_message_bytes}. */
  static final short TOO_BIG = (short) ErrorCode.PAYLOAD_TOO_LARGE.wsClose().code();
  /** RFC 6455 "service restart": the node is draining; reconnect (to another node) and resubscribe. */
  static final short SERVICE_RESTART = (short) ErrorCode.DRAINING.wsClose().code();

  private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
  private static final Buffer PING = Buffer.buffer("streamhub");

  private final Generations generations;
  private final WsConfig config;
  /** The transport name its bytes are counted under in {@link EdgeStats}. */
  private static final String WEBSOCKET = Transport.WEBSOCKET.wire();

  private final EdgeStats stats;
  private final Conversations conversations;
  private Session session;
  private ServerWebSocket ws;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final List<Handler<Void>> waitingForDrain = new ArrayList<>();
  private long lastHeard = System.nanoTime();
  private boolean closed;
  /** Not reading the socket while its write queue is full ({@link #holdBackIfFull}). */
  private boolean heldBack;
  /** The socket's channel: its writability (pongs Vert.x writes count there only), and its reads. */
  private ChannelReads reads;

  WsConnection(Generations generations, WsConfig config, EdgeStats stats, Conversations conversations) {
    this.generations = generations;
    this.config = config;
    this.stats = stats;
    this.conversations = conversations;
  }

  /** Takes the upgraded socket of {@code session}; the socket's close closes the session. */
  void start(Session session, ServerWebSocket ws, ChannelReads reads) {
    this.session = session;
    this.ws = ws;
    this.reads = reads;
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(frame -> {
      heard();
      sendError(null, null, new HubException(ErrorCode.BAD_REQUEST, "binary frames are not accepted from clients"));
    });
    ws.pongHandler(pong -> heard());
    // every frame, control frames included: Vert.x answers a ping with a pong before we see it
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) {
        heard();
        holdBackIfFull();
      }
    });
    ws.drainHandler(drained -> onDrain());
    ws.exceptionHandler(this::onException);
    ws.closeHandler(gone -> session.close());
  }

  /** The node is draining: stop every subscription and close with 1012; the client resumes elsewhere. */
  @Override
  public void letGo() {
    if (!closed) {
      closed();
      if (ws != null) {
        ws.close(SERVICE_RESTART, "draining");
      }
    }
  }

  /**
   * A subscription failed with a code to take elsewhere ({@code store_unavailable}): close the whole
   * socket with 1012 and the code as reason, so the client resubscribes everything on another node.
   */
  @Override
  public boolean moveOn(HubException why) {
    if (closed || ws == null) {
      return false;
    }
    closed();
    ws.close(SERVICE_RESTART, why.code().code());
    return true;
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
      subscribe(subscribe.stream(), subscribe.from(), subscribe.compact());
    } else if (message instanceof WsMessage.Unsubscribe unsubscribe) {
      unsubscribe(unsubscribe.stream(), "client");
    } else if (message instanceof WsMessage.Cancel cancel) {
      cancel(cancel.stream());
    } else if (message instanceof WsMessage.Ping ping) {
      send(new JsonObject().put("type", "pong").put("id", ping.id()));
    }
    holdBackIfFull();
  }

  /**
   * What one client can make the hub hold is bounded by its write queue ({@code http_write_queue_bytes}):
   * once the queue or the channel is full (the client does not read what it is sent), the socket is
   * not read either, so pings and messages wait in the kernel buffers, not in the hub, and are read and
   * answered once it drained (the drain handler, or the next heartbeat). Past the limit, only the
   * WebSocket pings of the read already under way are answered (Vert.x answers them as they are
   * decoded; one read is at most 64 KB). A client that keeps it so past
   * {@code ws_idle_timeout_ms} is closed with 1001, as one that stops answering pings.
   */
  private void holdBackIfFull() {
    if (!heldBack && !closed && !ws.isClosed() && (ws.writeQueueFull() || !reads.writable())) {
      heldBack = true;
      ws.pause(); // no further message of the read under way is handled
      reads.stop(); // and the socket is not read (pings would be answered as they are decoded)
    }
  }

  private void create(WsMessage.Create create) {
    session.own(create.request())
        .compose(request -> conversations.start(request.conversation(), request.owner(), request.messages(),
            context -> generations.start(request.withMessages(context))))
        .onSuccess(started -> {
          StreamMeta meta = started.meta();
          JsonObject created = new JsonObject()
              .put("type", "stream.created")
              .put("request_id", create.requestId())
              .put("stream", meta.id())
              .put("model", meta.model())
              .put("created", meta.createdAt() / 1000);
          send(started.conversation() == null ? created : created.put("conversation", started.conversation()));
          subscribe(meta.id(), 0);
        })
        .onFailure(err -> sendError(create.requestId(), null, err));
  }

  private void subscribe(String stream, long from) {
    subscribe(stream, from, false);
  }

  private void subscribe(String stream, long from, boolean compact) {
    Subscription previous = subscriptions.remove(stream);
    Future<Void> unsubscribed = previous == null ? Future.succeededFuture() : previous.close();
    unsubscribed
        .compose(v -> session.read(stream, from, compact, new StreamSink(stream)))
        .onSuccess(subscription -> {
          if (subscription.nothingToSend()) {
            sendUnsubscribed(stream, subscription.next(), "ended");
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
        .compose(id -> session.mayUse(id).compose(allowed -> generations.cancel(id)))
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
    int length = text.length();
    stats.wrote(WEBSOCKET, length);
    stats.held(length);
    ws.writeTextMessage(text).onComplete(written -> stats.held(-length));
  }

  private void heard() {
    lastHeard = System.nanoTime();
  }

  /** Every {@code ws_ping_interval_ms}: a ping, or a close when nothing was heard for {@code ws_idle_timeout_ms}. */
  @Override
  public void heartbeat() {
    if (ws == null || closed) {
      return;
    }
    resumeIfDrained();
    if ((System.nanoTime() - lastHeard) / 1_000_000 > config.idleTimeoutMs()) {
      ws.close(GOING_AWAY, "no pong from the client");
      return;
    }
    ws.writePing(PING);
  }

  /**
   * A frame or a message over {@code ws_max_message_bytes} closes with 1009 (Netty rejects a single
   * frame over the frame limit; Vert.x rejects a fragmented message over the message limit); other
   * protocol violations close with the status Netty names (1002).
   */
  private void onException(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException) {
      closeFor(ws, (CorruptedWebSocketFrameException) err);
    } else if (String.valueOf(err.getMessage()).contains("max message size")) {
      ws.close(TOO_BIG, "message larger than " + config.maxMessageBytes() + " bytes");
    } else {
      LOG.debug("websocket error: {}", err.getMessage());
    }
  }

  /**
   * Fails {@code ws} for a protocol violation (RFC 6455 7.1.7): a Close frame with the status Netty
   * or {@code FrameChecks} named (1002 protocol error, 1007 invalid UTF-8, 1009 too big), then the TCP
   * close once the client answers or Vert.x's closing timeout passes.
   */
  static void closeFor(ServerWebSocket ws, CorruptedWebSocketFrameException violation) {
    ws.close((short) violation.closeStatus().code(), violation.closeStatus().reasonText());
  }

  private void resumeIfDrained() {
    if (heldBack && !ws.writeQueueFull() && reads.writable()) {
      heldBack = false;
      reads.start();
      ws.resume();
    }
  }

  private void onDrain() {
    resumeIfDrained();
    List<Handler<Void>> waiting = new ArrayList<>(waitingForDrain);
    waitingForDrain.clear();
    waiting.forEach(handler -> handler.handle(null));
  }

  /** The session closed (the socket closed, or a drain let it go): nothing more is sent. */
  @Override
  public void closed() {
    closed = true;
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
        int length = frame.length();
        stats.wrote(WEBSOCKET, length);
        stats.held(length);
        ws.writeBinaryMessage(frame).onComplete(written -> stats.held(-length));
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
