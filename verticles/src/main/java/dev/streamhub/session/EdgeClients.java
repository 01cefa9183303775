package dev.streamhub.session;

import dev.streamhub.ops.Drain;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The open stream readers of one edge instance (SSE responses, WebSockets, held long-polls), so a
 * drain can let them go: the ones that can resume on another node are told to reconnect at once,
 * OpenAI-format streams (their SDKs cannot resume) may run to their end until the deadline.
 * Confined to the edge instance's event loop.
 */
public final class EdgeClients implements Drain.Participant {

  /** One open reader. */
  public interface Client {
    /** True when the client can resume on another node: native SSE, WebSocket, long-poll. */
    boolean resumable();

    /** Tells the client to reconnect elsewhere and closes its response or socket. */
    void letGo();
  }

  private final Vertx vertx;
  private final Set<Client> open = new HashSet<>();
  private Promise<Void> allGone;

  public EdgeClients(Vertx vertx) {
    this.vertx = vertx;
  }

  public void add(Client client) {
    if (allGone != null && client.resumable()) {
      client.letGo();
      return;
    }
    open.add(client);
  }

  public void remove(Client client) {
    if (open.remove(client) && allGone != null && open.isEmpty()) {
      allGone.tryComplete();
    }
  }

  /** How many readers are open (for tests and the node card). */
  public int size() {
    return open.size();
  }

  @Override
  public Future<Void> drain(long deadline) {
    allGone = Promise.promise();
    for (Client client : List.copyOf(open)) {
      if (client.resumable()) {
        letGo(client);
      }
    }
    if (open.isEmpty()) {
      allGone.tryComplete();
      return allGone.future();
    }
    long timer = vertx.setTimer(Math.max(1, deadline - System.currentTimeMillis()), id -> List.copyOf(open).forEach(this::letGo));
    return allGone.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  /** An admin drain lets the readers go as a final drain does ({@link #drain}). */
  @Override
  public Future<Void> pause(long deadline) {
    return drain(deadline);
  }

  /** Back in service after an admin drain: new readers are kept again. */
  @Override
  public void resume() {
    allGone = null;
  }

  private void letGo(Client client) {
    client.letGo();
    remove(client);
  }
}
