package dev.streamhub.transport;

import io.vertx.core.Vertx;

/** The three client transports, each with its test reader. */
public enum Transport {
  SSE, WS, POLL;

  public StreamReader reader(Vertx vertx, int port) {
    switch (this) {
      case SSE:
        return new SseReader(vertx, port);
      case WS:
        return new WsReader(vertx, port);
      default:
        return new PollReader(vertx, port);
    }
  }
}
