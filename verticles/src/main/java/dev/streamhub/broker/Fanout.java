package dev.streamhub.broker;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live events of streams for the subscriptions of one event loop: one {@link Broker}
 * registration per stream (an event-bus consumer when clustered, a direct hand-off from the writer
 * when alone), however many subscriptions read it here, handing every batch to each of them in turn.
 *
 * <p>A consumer per subscription costs about 300 bytes of heap (consumer, its inbound queue,
 * handler holder, closures), and registering one more on an address copies the address's whole
 * handler array: ten thousand readers of one stream made 200 MB of garbage just to register. Here
 * they cost a link in the feed's list.
 *
 * <p>What a subscription relies on is unchanged: once {@link #join} succeeded, every batch
 * published on the stream's address reaches it, in publish order, on this event loop (a batch
 * being handed out while it joins may reach it too, which its de-duplication by offset absorbs).
 *
 * <p>Not thread safe: used from the event loop that created it (one per edge verticle), which
 * {@link #join} checks.
 */
public final class Fanout {

  private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

  /**
   * What a feed hands batches to; the links live in the listener, so joining allocates nothing.
   * A listener joins once; after leaving it stays out.
   */
  public abstract static class Listener {
    private Feed feed;
    private Listener prev;
    private Listener next;
    private boolean joined;

    /** One batch published on the stream, on the feed's event loop. */
    protected abstract void onLive(EventBatch batch);
  }

  private final Broker broker;
  private final Map<String, Feed> feeds = new HashMap<>();
  private Thread owner;

  /** Created on, and used from, one event loop. */
  public Fanout(Broker broker) {
    this.broker = broker;
  }

  /**
   * Starts handing {@code stream}'s live batches to {@code listener}; the future completes once the
   * stream's consumer is registered (at once when another listener here registered it already).
   */
  public Future<Void> join(String stream, Listener listener) {
    checkThread();
    if (listener.joined) {
      throw new IllegalStateException("a listener joins once");
    }
    listener.joined = true;
    Feed feed = feeds.get(stream);
    if (feed == null) {
      feed = new Feed(stream);
      feeds.put(stream, feed);
      feed.register();
    }
    feed.add(listener);
    return feed.registered;
  }

  /**
   * Stops handing batches to {@code listener}; the last listener of a stream unregisters its
   * consumer, and the future completes when that is done. A no-op when it is not listening.
   */
  public Future<Void> leave(Listener listener) {
    Feed feed = listener.feed;
    if (feed == null) {
      return Future.succeededFuture();
    }
    feed.remove(listener);
    if (feed.head != null) {
      return Future.succeededFuture();
    }
    if (feeds.get(feed.stream) == feed) {
      feeds.remove(feed.stream);
    }
    return feed.consumer.unregister();
  }

  /** Streams with a registration here; for tests and metrics. */
  public int streams() {
    return feeds.size();
  }

  private void checkThread() {
    Thread current = Thread.currentThread();
    if (owner == null) {
      owner = current;
    } else if (owner != current) {
      throw new IllegalStateException("live feeds are used from their event loop only (" + owner.getName() + "), not " + current.getName());
    }
  }

  /** One stream's consumer and its listeners, in the order they joined. */
  private final class Feed {
    final String stream;
    Broker.Registration consumer;
    Future<Void> registered;
    Listener head;
    Listener tail;

    Feed(String stream) {
      this.stream = stream;
    }

    void register() {
      consumer = broker.subscribe(stream, this::dispatch);
      registered = consumer.completion().onFailure(err -> {
        if (feeds.get(stream) == this) {
          feeds.remove(stream);
        }
      });
    }

    void add(Listener listener) {
      listener.feed = this;
      listener.prev = tail;
      listener.next = null;
      if (tail == null) {
        head = listener;
      } else {
        tail.next = listener;
      }
      tail = listener;
    }

    /**
     * Unlinks {@code listener} but leaves its own {@code next} as it was, so that a dispatch
     * standing on it (a listener that left while handling a batch) can go on to the rest.
     */
    void remove(Listener listener) {
      if (listener.prev == null) {
        head = listener.next;
      } else {
        listener.prev.next = listener.next;
      }
      if (listener.next == null) {
        tail = listener.prev;
      } else {
        listener.next.prev = listener.prev;
      }
      listener.prev = null;
      listener.feed = null;
    }

    void dispatch(EventBatch batch) {
      for (Listener l = head; l != null; l = l.next) {
        if (l.feed != this) {
          continue; // left during this dispatch
        }
        try {
          l.onLive(batch);
        } catch (RuntimeException e) {
          // as when each had its own consumer: one failing listener does not starve the others
          LOG.atError().addKeyValue("stream", stream).setCause(e).log("live event handler failed for stream {}", stream);
        }
      }
    }
  }
}
