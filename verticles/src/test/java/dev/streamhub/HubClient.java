package dev.streamhub;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Real HTTP clients (Vert.x HttpClient and WebClient) aimed at one hub on 127.0.0.1.
 *
 * <p>Safe to use inline for one request ({@code new HubClient(vertx, port).get(path)}): Vert.x 5
 * shuts down an HTTP client the garbage collector finds unreferenced, even in the middle of a
 * request ("Pool closed", "Connection closed while handshake in process": eclipse-vertx/vert.x#5839),
 * so every request this class makes keeps its client strongly reachable, from a static set of
 * requests in flight, until the request's future completes (for {@link #openSse}, until the
 * response ends). Requests built on {@link #web()} are not covered: their caller keeps this client.
 */
public final class HubClient {

  /** One entry per request in flight, each holding its client; removed when the request completes. */
  private static final Set<Hold> IN_FLIGHT = ConcurrentHashMap.newKeySet();

  private final int port;
  private final Context context;
  private final HttpClient http;
  private final WebClient web;
  /** Connections the client has established (its connect handler), for the test of this class. */
  private final AtomicLong connections = new AtomicLong();

  public HubClient(Vertx vertx, int port) {
    this(vertx, port, new HttpClientOptions());
  }

  /** With {@code options} (say, a small receive buffer for a slow reader); host and port are set here. */
  public HubClient(Vertx vertx, int port, HttpClientOptions options) {
    this.context = vertx.getOrCreateContext();
    this.port = port;
    AtomicLong connected = connections; // the handler references the counter only, never this client
    this.http = vertx.httpClientBuilder()
        .with(options.setDefaultHost("127.0.0.1").setDefaultPort(port))
        .with(new PoolOptions().setHttp1MaxSize(32))
        .withConnectHandler(connection -> connected.incrementAndGet())
        .build();
    this.web = WebClient.wrap(http);
  }

  public int port() {
    return port;
  }

  /** The WebClient, for requests these methods do not make; the caller must keep this client referenced until they end. */
  public WebClient web() {
    return web;
  }

  public Future<HttpResponse<Buffer>> postJson(String path, JsonObject body) {
    return held(web.post(port, "127.0.0.1", path).sendJsonObject(body));
  }

  public Future<HttpResponse<Buffer>> post(String path, Buffer body) {
    return held(web.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json").sendBuffer(body));
  }

  public Future<HttpResponse<Buffer>> get(String path) {
    return held(web.get(port, "127.0.0.1", path).send());
  }

  public Future<HttpResponse<Buffer>> delete(String path) {
    return held(web.delete(port, "127.0.0.1", path).send());
  }

  /** Requests (and SSE responses being read) in flight on {@code client} (by identity; null: none); for the test of this class. */
  static long inFlight(HubClient client) {
    return IN_FLIGHT.stream().filter(hold -> hold.client == client).count();
  }

  /**
   * How many connections the client has established so far, read without referencing the client
   * (a test that must let it become unreachable keeps this instead); for the test of this class.
   */
  LongSupplier connections() {
    return connections::get;
  }

  /** {@code request}, with this client strongly reachable until it completes (vert.x#5839). */
  private <T> Future<T> held(Future<T> request) {
    Hold hold = hold();
    return request.andThen(done -> hold.release());
  }

  /** Keeps this client strongly reachable until {@link Hold#release}. */
  private Hold hold() {
    Hold hold = new Hold(this);
    IN_FLIGHT.add(hold);
    return hold;
  }

  /** A request in flight: its client, reachable from {@link #IN_FLIGHT} (compared by identity). */
  private static final class Hold {
    private final HubClient client;

    Hold(HubClient client) {
      this.client = client;
    }

    void release() {
      IN_FLIGHT.remove(this);
    }

    @Override
    public String toString() {
      return "request in flight to port " + client.port;
    }
  }

  /** Creates a generation with {@code POST /v1/streams} and returns its id. */
  public Future<String> createStream(JsonObject body) {
    return postJson("/v1/streams", body).map(resp -> {
      if (resp.statusCode() != 201) {
        throw new AssertionError("POST /v1/streams: " + resp.statusCode() + " " + resp.bodyAsString());
      }
      return resp.bodyAsJsonObject().getString("stream");
    });
  }

  /** Creates an empty stream the caller publishes itself ({@code {"publisher":"external"}}); yields its id. */
  public Future<String> createExternalStream() {
    return postJson("/v1/streams", new JsonObject().put("publisher", "external")).map(resp -> {
      if (resp.statusCode() != 201) {
        throw new AssertionError("POST /v1/streams (external): " + resp.statusCode() + " " + resp.bodyAsString());
      }
      return resp.bodyAsJsonObject().getString("stream");
    });
  }

  /** Publishes {@code batch} (one event object or an array of them); yields the 200 body ({@code next_offset}, ...). */
  public Future<JsonObject> publish(String stream, Object batch) {
    return post("/v1/streams/" + stream + "/events", Buffer.buffer(batch.toString())).map(resp -> {
      if (resp.statusCode() != 200) {
        throw new AssertionError("publish to " + stream + ": " + resp.statusCode() + " " + resp.bodyAsString());
      }
      return resp.bodyAsJsonObject();
    });
  }

  /** Publishes deltas {@code "t<from>"} .. {@code "t<toExclusive-1>"} in one batch; checks they took offsets from..toExclusive-1. */
  public Future<Void> publishDeltas(String stream, long from, long toExclusive) {
    io.vertx.core.json.JsonArray batch = new io.vertx.core.json.JsonArray();
    for (long i = from; i < toExclusive; i++) {
      batch.add(new JsonObject().put("type", "delta").put("data", new JsonObject().put("text", "t" + i)));
    }
    return publish(stream, batch).map(ack -> {
      if (ack.getLong("next_offset") != toExclusive) {
        throw new AssertionError("published " + from + ".." + (toExclusive - 1) + " but next_offset is " + ack);
      }
      return null;
    });
  }

  /** Polls the stream's meta until it is finished. */
  public Future<JsonObject> awaitFinished(Vertx vertx, String stream) {
    JsonObject[] last = new JsonObject[1];
    return TestHubs.eventually(vertx, 20, 500, () -> get("/v1/streams/" + stream).map(resp -> {
      last[0] = resp.bodyAsJsonObject();
      return resp.statusCode() == 200 && last[0].getBoolean("finished");
    })).map(v -> last[0]);
  }

  /**
   * A whole SSE response (the stream must end): status, headers and the body as text. Made on this
   * client's own context, as {@link #openSse} is: chained from a test thread, the body handler could
   * be set after a short response had already ended, and its body would never complete.
   */
  public Future<SseResponseText> readSse(String uri, MultiMap headers) {
    Promise<SseResponseText> read = Promise.promise();
    context.runOnContext(v -> http.request(HttpMethod.GET, uri).compose(req -> {
      req.headers().addAll(headers);
      return req.send();
    }).compose(resp -> resp.body().map(body -> new SseResponseText(resp.statusCode(), resp.headers(), body.toString(StandardCharsets.UTF_8))))
        .onComplete(read));
    return held(read.future());
  }

  public Future<SseResponseText> readSse(String uri) {
    return readSse(uri, MultiMap.caseInsensitiveMultiMap());
  }

  /**
   * Opens an SSE response and parses frames as they arrive. The request is made on this client's
   * own context, so the connection runs on that event loop and the frame handler is in place
   * before the first chunk: a response that fits in one chunk would otherwise end before a
   * handler set from another thread sees it. This client stays reachable until the response ends
   * or fails ({@link LiveSse#ended}).
   */
  public Future<LiveSse> openSse(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    Promise<LiveSse> opened = Promise.promise();
    Hold hold = hold();
    context.runOnContext(v -> http.request(method, uri).compose(req -> {
      req.headers().addAll(headers);
      return body == null ? req.send() : req.send(body);
    }).map(LiveSse::new).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().ended().onComplete(ended -> hold.release());
      } else {
        hold.release();
      }
    }).onComplete(opened));
    return opened.future();
  }

  public Future<LiveSse> openSse(String uri, MultiMap headers) {
    return openSse(HttpMethod.GET, uri, headers, null);
  }

  public Future<Void> close() {
    return http.close();
  }

  /** A whole SSE response. */
  public record SseResponseText(int status, MultiMap headers, String body) {
    public List<SseFrame> frames() {
      return SseFrame.parseAll(body);
    }
  }

  /** An SSE response being received: frames so far, a way to wait for more, and to hang up. */
  public static final class LiveSse {
    private final HttpClientResponse response;
    private final List<SseFrame> frames = new ArrayList<>();
    private Buffer pending = Buffer.buffer();
    private final Promise<List<SseFrame>> ended = Promise.promise();
    private Predicate<List<SseFrame>> waitingFor;
    private Promise<List<SseFrame>> waiter;

    LiveSse(HttpClientResponse response) {
      this.response = response;
      response.handler(this::onData);
      response.endHandler(v -> ended.tryComplete(frames()));
      response.exceptionHandler(err -> ended.tryFail(err));
    }

    public int status() {
      return response.statusCode();
    }

    public MultiMap headers() {
      return response.headers();
    }

    public synchronized List<SseFrame> frames() {
      return List.copyOf(frames);
    }

    /**
     * Completes with the frames so far once {@code condition} holds on them. Safe from any thread:
     * the frames are appended on the connection's event loop, so both sides lock this object.
     */
    public synchronized Future<List<SseFrame>> until(Predicate<List<SseFrame>> condition) {
      if (condition.test(frames)) {
        return Future.succeededFuture(List.copyOf(frames));
      }
      waitingFor = condition;
      waiter = Promise.promise();
      return waiter.future();
    }

    /** Completes with every frame when the server ends the response. */
    public Future<List<SseFrame>> ended() {
      return ended.future();
    }

    /** Stops reading from the socket, as a slow client would: the server's write queue fills up. */
    public void pause() {
      response.pause();
    }

    public void resume() {
      response.resume();
    }

    /** Closes the TCP connection, as a client that lost its network would. */
    public Future<Void> disconnect() {
      response.handler(null);
      return response.request().connection().close();
    }

    private void onData(Buffer chunk) {
      Promise<List<SseFrame>> satisfied = parse(chunk);
      if (satisfied != null) {
        satisfied.tryComplete(frames());
      }
    }

    /** Appends the complete frames in {@code chunk}; yields the waiter whose condition now holds (completed outside the lock). */
    private synchronized Promise<List<SseFrame>> parse(Buffer chunk) {
      pending = pending.appendBuffer(chunk);
      int start = 0;
      for (int i = 0; i + 1 < pending.length(); i++) {
        if (pending.getByte(i) == '\n' && pending.getByte(i + 1) == '\n') {
          frames.add(SseFrame.parse(pending.getString(start, i, "UTF-8")));
          start = i + 2;
          i++;
        }
      }
      if (start > 0) {
        pending = pending.getBuffer(start, pending.length());
      }
      if (waiter != null && waitingFor.test(frames)) {
        Promise<List<SseFrame>> w = waiter;
        waiter = null;
        return w;
      }
      return null;
    }
  }
}
