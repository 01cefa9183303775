package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocketClient;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Nchan as configured by {@code bench/nchan/nginx.conf.template}: publish by {@code POST
 * /pub/<channel>} (201 with subscribers, 202 without), read by EventSource on {@code GET
 * /sub/<channel>} from the oldest buffered message. A channel exists once used, so creating a
 * stream is only choosing a fresh channel id (no request).
 */
public final class NchanRelay implements Relay {

  private static final AtomicLong NEXT = new AtomicLong();
  private final String runId = Long.toString(System.nanoTime() & 0xffffffffL, 36);

  @Override
  public String name() {
    return "nchan";
  }

  @Override
  public Future<String> createStream(Shard shard, HttpClient client) {
    return Future.succeededFuture("bench" + runId + "x" + NEXT.getAndIncrement());
  }

  @Override
  public String publishUri(String stream) {
    return "/pub/" + stream;
  }

  @Override
  public boolean published(int status) {
    return status == 201 || status == 202;
  }

  @Override
  public Transport transport(String name, HttpClient client, WebSocketClient wsClient, Target target) {
    if (!name.equals("sse")) {
      throw new IllegalArgumentException("the Nchan peer is read over SSE (EventSource) only, not " + name);
    }
    return new NchanTransport(client, target);
  }
}
