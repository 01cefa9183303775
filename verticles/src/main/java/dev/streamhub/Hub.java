package dev.streamhub;

import dev.streamhub.auth.EdgeSecurity;
import dev.streamhub.auth.SessionSecurity;
import dev.streamhub.bridge.BridgeVerticle;
import dev.streamhub.broker.Broker;
import dev.streamhub.broker.EventBusBroker;
import dev.streamhub.broker.LocalBroker;
import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.cluster.NodeCardVerticle;
import dev.streamhub.config.ClusterConfig.Role;
import dev.streamhub.config.HubConfig;
import dev.streamhub.conversation.ConversationStores;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.limits.NodeLimits;
import dev.streamhub.ops.Drain;
import dev.streamhub.ops.metrics.HubMetrics;
import dev.streamhub.publish.Publisher;
import dev.streamhub.session.Transport;
import dev.streamhub.streamlog.RetentionVerticle;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamLogs;
import dev.streamhub.streamlog.StreamWriter;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.transport.EdgeParts;
import dev.streamhub.transport.EdgeVerticle;
import dev.streamhub.worker.DemoModelBackend;
import dev.streamhub.worker.UpstreamRouter;
import dev.streamhub.worker.LeaseWatchdogVerticle;
import dev.streamhub.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * A running hub node on one {@link Vertx}: the stream log, the retention sweep, and per its roles the
 * demo worker ({@code worker}) and the HTTP edge ({@code edge}). {@link HubMain} starts one from the command line; tests start one in-process.
 */
public final class Hub {

  private final Vertx vertx;
  private final StreamLog log;
  private final Broker broker;
  private final EdgeStats stats;
  private final Drain drain;
  private final long drainTimeoutMs;
  private final int port;
  private final List<String> deployments;
  private final NodeLimits limits;

  private Hub(Vertx vertx, EdgeParts parts, long drainTimeoutMs, int port, List<String> deployments, NodeLimits limits) {
    this.vertx = vertx;
    this.log = parts.log();
    this.broker = parts.broker();
    this.stats = parts.stats();
    this.drain = parts.drain();
    this.drainTimeoutMs = drainTimeoutMs;
    this.port = port;
    this.deployments = deployments;
    this.limits = limits;
  }

  public static Future<Hub> start(Vertx vertx, HubConfig config) {
    return start(vertx, config, vertx.isClustered() ? new EventBusBroker(vertx) : new LocalBroker(vertx));
  }

  /**
   * Starts a hub whose live path is {@code broker} (the one place it is chosen: the event bus when
   * clustered, the direct local hand-off when alone; a test may wrap either).
   */
  public static Future<Hub> start(Vertx vertx, HubConfig config, Broker broker) {
    EdgeSecurity.install(vertx, config);
    NodeLimits limits = NodeLimits.of(vertx);
    List<String> deployments = new ArrayList<>();
    EdgeStats stats = new EdgeStats();
    Drain drain = new Drain();
    HubMetrics metrics = HubMetrics.of(vertx);
    metrics.bind(vertx, stats, drain, Transport.wireNames());
    return StreamLogs.create(vertx, config.log()).map(store -> metrics.metered(store, config.log().store()))
        .compose(log -> installConversations(vertx, config, log)).compose(log -> {
      EdgeParts parts = new EdgeParts(log, broker, stats, drain, SessionSecurity.of(vertx, log));
      StreamWriter writer = new StreamWriter(log, broker);
      Future<String> retention = vertx.deployVerticle(new RetentionVerticle(log)).onSuccess(deployments::add);
      Future<String> watchdog = vertx.deployVerticle(new LeaseWatchdogVerticle(writer, config.worker())).onSuccess(deployments::add);
      Future<?> worker = !config.demo().enabled() || !config.cluster().has(Role.WORKER)
          ? Future.succeededFuture()
          : vertx.deployVerticle(() -> new WorkerVerticle(v -> new DemoModelBackend(v, config.demo()), writer, config.worker(), drain),
              new DeploymentOptions().setInstances(config.worker().instances())).onSuccess(deployments::add);
      Future<?> upstream = config.upstream().upstreams().isEmpty() || !config.cluster().has(Role.WORKER)
          ? Future.succeededFuture()
          : vertx.deployVerticle(new WorkerVerticle(v -> new UpstreamRouter(v, config.upstream()), writer, config.worker(), drain)).onSuccess(deployments::add);
      Future<?> bridge = !config.bridge().enabled()
          ? Future.succeededFuture()
          : vertx.deployVerticle(new BridgeVerticle(config.bridge(), new Publisher(log, writer))).onSuccess(deployments::add);
      return Future.all(List.of(broker.ready(), retention, watchdog, worker, upstream, bridge))
          .compose(ready -> config.cluster().has(Role.EDGE) ? deployEdge(vertx, config, parts, deployments) : Future.succeededFuture(-1))
          .compose(port -> vertx.deployVerticle(new NodeCardVerticle(config, stats, () -> drain.state().wire(), port)).map(id -> {
            deployments.add(id);
            return port;
          }))
          .map(port -> new Hub(vertx, parts, config.drain().timeoutMs(), port, deployments, limits));
    });
  }

  /** Conversations live in the log's store; transports find them with {@link Conversations#of}. */
  private static Future<StreamLog> installConversations(Vertx vertx, HubConfig config, StreamLog log) {
    return ConversationStores.create(vertx, config.log(), config.conversation()).map(store -> {
      Conversations.install(vertx, new Conversations(vertx, store, log, config.conversation()));
      return log;
    });
  }

  /**
   * Deploys the first edge instance, then the others on the same listen port so they share its
   * socket. Vert.x shares a socket between servers of the same fixed port, or of the same negative
   * port (one random port per group); it never shares port 0, so port 0 is listened on as -1.
   */
  private static Future<Integer> deployEdge(Vertx vertx, HubConfig config, EdgeParts parts, List<String> deployments) {
    int listenPort = config.http().port() == 0 ? -1 : config.http().port();
    EdgeVerticle first = new EdgeVerticle(config, parts, listenPort);
    return vertx.deployVerticle(first).compose(id -> {
      deployments.add(id);
      int port = first.actualPort();
      int more = config.http().instances() - 1;
      if (more == 0) {
        return Future.succeededFuture(port);
      }
      return vertx.deployVerticle(() -> new EdgeVerticle(config, parts, listenPort), new DeploymentOptions().setInstances(more))
          .map(moreId -> {
            deployments.add(moreId);
            return port;
          });
    });
  }

  /** This node's id in the cluster (a random id fixed for the JVM when alone). */
  public String nodeId() {
    return HazelcastSetup.nodeId(vertx);
  }

  /** The HTTP port the edge listens on; -1 when this node has no {@code edge} role. */
  public int port() {
    return port;
  }

  public EdgeStats stats() {
    return stats;
  }

  public StreamLog log() {
    return log;
  }

  /** The live path writers publish on ({@link dev.streamhub.streamlog.StreamWriter}). */
  public Broker broker() {
    return broker;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Drains the node gracefully ({@code drain_timeout_ms}): readiness down, new requests refused with
   * {@code draining}, readers told to reconnect elsewhere (SSE {@code reconnect} event, WebSocket
   * close 1012, held long-polls answered), generations in flight let finish. Completes when all
   * that is done or the deadline passed; {@link #stop()} then leaves the cluster.
   */
  public Future<Void> drain() {
    return drain.start(vertx, drainTimeoutMs);
  }

  public boolean draining() {
    return drain.draining();
  }

  /**
   * Undeploys the node's verticles, then closes what they shared: conversations, the broker (leaves
   * the cluster), the log, and last the limits ({@link NodeLimits#close}: with Redis the node's
   * slots stop counting at once).
   */
  public Future<Void> stop() {
    List<Future<Void>> undeployed = new ArrayList<>();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      undeployed.add(vertx.undeploy(deployments.get(i)));
    }
    return Future.all(undeployed).compose(done -> Conversations.uninstall(vertx)).compose(done -> broker.close()).compose(done -> log.close())
        .eventually(() -> limits.close(vertx));
  }
}
