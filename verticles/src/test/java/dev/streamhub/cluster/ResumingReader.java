package dev.streamhub.cluster;

import dev.streamhub.SseFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One client of one stream over native SSE, as a browser behind a load balancer would behave: it
 * reads from a node, and whenever the response ends without the stream's terminal event (an
 * {@code error} event such as {@code store_unavailable}, a {@code reconnect} event, a refused
 * request, a dropped or silent connection) it reconnects to the next node from its next offset
 * ({@code Last-Event-ID}). It records every event it received, when and from which node, and every
 * interruption, for the partition test's checks.
 */
final class ResumingReader {

  /** An event as received: its offset, {@code type + data} as text, when (nanoTime) and from which node. */
  record Received(long offset, String content, long atNanos, int node) {}

  /** Why a connection ended without the terminal event. */
  record Interruption(int node, String reason, long atNanos) {}

  static final long RECONNECT_PAUSE_MS = 300;
  /** A connection that brings nothing, not even a heartbeat, for this long is dropped (heartbeats come every second). */
  static final long IDLE_TIMEOUT_MS = 8_000;

  private final Vertx vertx;
  private final Context context;
  private final HttpClient http;
  private final String stream;
  private final int[] ports;
  private final List<Received> received = new ArrayList<>();
  private final List<Interruption> interruptions = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Promise<Void> finished = Promise.promise();
  private int node;
  private long next;
  private boolean stopped;

  ResumingReader(Vertx vertx, HttpClient http, String stream, int[] ports, int firstNode) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.http = http;
    this.stream = stream;
    this.ports = ports;
    this.node = firstNode;
  }

  String stream() {
    return stream;
  }

  void start() {
    context.runOnContext(v -> connect());
  }

  /** Completes once the stream's terminal event arrived. */
  Future<Void> finished() {
    return finished.future();
  }

  /** Stops reconnecting (the test is over). */
  void stop() {
    context.runOnContext(v -> stopped = true);
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** Events that did not come at the offset asked for (must stay empty: resume is exact). */
  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized List<Interruption> interruptions() {
    return List.copyOf(interruptions);
  }

  /** The longest time between two consecutive events, in ms (0 with fewer than two). */
  synchronized long longestPauseMs() {
    long longest = 0;
    for (int i = 1; i < received.size(); i++) {
      longest = Math.max(longest, (received.get(i).atNanos() - received.get(i - 1).atNanos()) / 1_000_000);
    }
    return longest;
  }

  private void connect() {
    if (stopped || finished.future().isComplete()) {
      return;
    }
    int at = node;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(ports[at])
        .setURI("/v1/streams/" + stream + "/events?from=" + next).setIdleTimeout(IDLE_TIMEOUT_MS).setConnectTimeout(3_000);
    if (next > 0) {
      options.putHeader("Last-Event-ID", Long.toString(next - 1));
    }
    http.request(options).compose(req -> req.send()).onComplete(ar -> {
      if (ar.failed()) {
        interrupted(at, "request failed: " + ar.cause().getMessage());
      } else if (ar.result().statusCode() != 200) {
        HttpClientResponse response = ar.result();
        response.body().onComplete(body -> interrupted(at, "HTTP " + response.statusCode() + " "
            + (body.succeeded() ? errorCode(body.result()) : "")));
      } else {
        read(at, ar.result());
      }
    });
  }

  private void read(int at, HttpClientResponse response) {
    Buffer[] pending = {Buffer.buffer()};
    String[] endReason = {"response ended without a terminal event"};
    response.handler(chunk -> {
      pending[0] = pending[0].appendBuffer(chunk);
      String text = pending[0].toString("UTF-8");
      int start = 0;
      int end;
      while ((end = text.indexOf("\n\n", start)) >= 0) {
        String reason = onFrame(at, SseFrame.parse(text.substring(start, end)));
        if (reason != null) {
          endReason[0] = reason;
        }
        start = end + 2;
      }
      pending[0] = Buffer.buffer(text.substring(start));
    });
    response.exceptionHandler(err -> endReason[0] = "connection failed: " + err.getMessage());
    response.end().onComplete(ar -> {
      if (!finished.future().isComplete()) {
        interrupted(at, ar.failed() ? "connection failed: " + ar.cause().getMessage() : endReason[0]);
      }
    });
  }

  /** Records an event frame; returns the reason the server gave for ending the response, if this frame is one. */
  private String onFrame(int at, SseFrame frame) {
    if (frame.data() == null) {
      return null;
    }
    if (frame.id() == null) {
      return frame.event() + " " + errorCode(Buffer.buffer(frame.data()));
    }
    JsonObject event = new JsonObject(frame.data());
    long offset = event.getLong("offset");
    String type = event.getString("type");
    synchronized (this) {
      if (offset != next) {
        violations.add(stream + ": expected offset " + next + " from node " + at + ", got " + offset);
        return "out of order";
      }
      received.add(new Received(offset, type + " " + event.getJsonObject("data").encode(), System.nanoTime(), at));
    }
    next = offset + 1;
    if (type.equals("done") || type.equals("error") || type.equals("cancelled")) {
      finished.tryComplete();
    }
    return null;
  }

  private void interrupted(int at, String reason) {
    synchronized (this) {
      interruptions.add(new Interruption(at, reason, System.nanoTime()));
    }
    node = (at + 1) % ports.length;
    vertx.setTimer(RECONNECT_PAUSE_MS, id -> context.runOnContext(v -> connect()));
  }

  private static String errorCode(Buffer body) {
    try {
      JsonObject json = body.toJsonObject();
      JsonObject error = json.getJsonObject("error");
      return error != null ? error.getString("code") : json.getString("code", body.toString());
    } catch (RuntimeException notJson) {
      return body.toString();
    }
  }
}
