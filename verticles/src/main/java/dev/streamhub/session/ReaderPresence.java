package dev.streamhub.session;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.cluster.HazelcastSetup;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The readers of each stream open on this node, over every edge event loop and transport, and when
 * the last one left: what the node answers on {@code streamhub.readers.<node id>} to a
 * {@link DisconnectWatch} anywhere in the cluster ({@code {"stream"}} → {@code {"readers","left_at"}},
 * {@code left_at} in epoch ms, 0 when none left yet). One per node ({@link #of}); thread safe.
 *
 * <p>A stream whose readers are all gone is remembered for {@code disconnect_grace_max_ms} (its
 * {@code left_at}), then forgotten by a periodic sweep, so the table holds the streams being read
 * plus those left within the longest grace.
 */
public final class ReaderPresence implements Shareable {

  private static final String MAP = "streamhub.session.presence";
  private static final String ENTRY = "presence";

  /** Readers open and when the last left; only touched inside the map's {@code compute}. */
  private static final class Count {
    int open;
    long leftAt;
  }

  private final ConcurrentHashMap<String, Count> streams = new ConcurrentHashMap<>();

  private ReaderPresence() {}

  /**
   * This node's presence table: created, with its {@code streamhub.readers.<node id>} consumer and
   * its sweep every {@code keepMs}, by the first edge event loop that asks.
   */
  public static ReaderPresence of(Vertx vertx, long keepMs) {
    synchronized (ReaderPresence.class) {
      Object known = vertx.sharedData().getLocalMap(MAP).get(ENTRY);
      if (known instanceof ReaderPresence) {
        return (ReaderPresence) known;
      }
      ReaderPresence presence = new ReaderPresence();
      vertx.sharedData().getLocalMap(MAP).put(ENTRY, presence);
      vertx.eventBus().<JsonObject>consumer(Addresses.readers(HazelcastSetup.nodeId(vertx)),
          ask -> ask.reply(presence.answer(ask.body().getString("stream", ""))));
      vertx.setPeriodic(keepMs, id -> presence.sweep(System.currentTimeMillis() - keepMs));
      return presence;
    }
  }

  /** A reader of {@code stream} opened here. */
  void opened(String stream) {
    streams.compute(stream, (id, count) -> {
      Count c = count == null ? new Count() : count;
      c.open++;
      return c;
    });
  }

  /** A reader of {@code stream} closed here; true when it was the last one open on this node. */
  boolean closed(String stream) {
    boolean[] last = new boolean[1];
    streams.computeIfPresent(stream, (id, c) -> {
      c.open = Math.max(0, c.open - 1);
      if (c.open == 0) {
        c.leftAt = System.currentTimeMillis();
        last[0] = true;
      }
      return c;
    });
    return last[0];
  }

  /** {@code {"readers","left_at"}} for {@code stream}: what this node answers a watch. */
  JsonObject answer(String stream) {
    JsonObject answer = new JsonObject().put("readers", 0).put("left_at", 0L);
    streams.computeIfPresent(stream, (id, c) -> {
      answer.put("readers", c.open).put("left_at", c.leftAt);
      return c;
    });
    return answer;
  }

  private void sweep(long leftBefore) {
    streams.forEach((id, ignored) -> streams.computeIfPresent(id, (key, c) -> c.open == 0 && c.leftAt < leftBefore ? null : c));
  }
}
