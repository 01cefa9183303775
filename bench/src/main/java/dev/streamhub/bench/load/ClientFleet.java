package dev.streamhub.bench.load;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The load generator's Vert.x: one {@link Shard} (event loop + HTTP client) per thread. */
public final class ClientFleet implements AutoCloseable {

  private final Vertx vertx;
  private final List<Shard> shards;

  private ClientFleet(Vertx vertx, List<Shard> shards) {
    this.vertx = vertx;
    this.shards = shards;
  }

  /**
   * @param threads event loops (and shards)
   * @param connections connections all shards together may open; each shard gets its share plus slack
   */
  public static ClientFleet start(Target target, int threads, int connections) {
    return start(target, Relay.STREAMHUB, threads, connections);
  }

  /** As {@link #start(Target, int, int)}, with relay-mode calls going to {@code relay}. */
  public static ClientFleet start(Target target, Relay relay, int threads, int connections) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setWorkerPoolSize(2));
    int perShard = connections / threads + 64;
    List<Shard> shards = Collections.synchronizedList(new ArrayList<>());
    int[] next = {0};
    vertx.deployVerticle(() -> {
      Shard shard;
      synchronized (next) {
        shard = new Shard(next[0]++, target, perShard, relay);
      }
      shards.add(shard);
      return shard;
    }, new DeploymentOptions().setInstances(threads)).await();
    List<Shard> ordered = new ArrayList<>(shards);
    ordered.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return new ClientFleet(vertx, List.copyOf(ordered));
  }

  public List<Shard> shards() {
    return shards;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** How many of {@code total} clients shard {@code index} of {@code count} takes. */
  public static int share(int total, int index, int count) {
    return total / count + (index < total % count ? 1 : 0);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
