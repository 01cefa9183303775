package dev.streamhub.ops.metrics;

import dev.streamhub.ops.Drain;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.internal.ClusterManagers;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;
import java.util.UUID;

/**
 * A node's Prometheus registry ({@code GET /metrics}): the Vert.x meters (HTTP server, event bus,
 * pools: {@code vertx_*}) when the node's Vertx was built with {@link #enable}, the JVM's
 * ({@code jvm_*}, {@code process_*}, {@code system_*}), and the hub's own ({@code streamhub_*},
 * one line each in the README). One per Vertx, found with {@link #of}.
 *
 * <p>No meter has a per-stream, per-user or per-IP label: Vert.x's event-bus address, HTTP path
 * and remote address labels are off (stream ids are in addresses and paths); {@code pool_name} names
 * a worker pool, or for an HTTP client pool the upstream model server's host:port; HTTP requests are
 * labelled by route pattern, method and status.
 */
public final class HubMetrics implements Shareable {

  static final String MAP = "streamhub.metrics";

  private final PrometheusMeterRegistry registry;
  private final GenerationMeters generations;
  private final RateLimitRejections rejections;

  private HubMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.generations = new GenerationMeters(registry);
    this.rejections = new RateLimitRejections(registry);
  }

  /**
   * Adds the Vert.x meters to {@code options} (under a unique registry name) and returns the
   * registry to build the Vertx with ({@link #factory}) and then {@link #install}.
   */
  public static PrometheusMeterRegistry enable(VertxOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName("streamhub-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.EB_SIDE, Label.EB_FAILURE,
            Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME)));
    return registry;
  }

  /**
   * What {@code Vertx.builder().withMetrics(...)} takes so that the Vert.x meters go to {@code registry}:
   * vertx-micrometer-metrics, with its HTTP server request and event-bus message meters kept per
   * series instead of looked up per request ({@link LeanVertxMetrics}; same series).
   */
  public static VertxMetricsFactory factory(PrometheusMeterRegistry registry) {
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    return new VertxMetricsFactory() {
      @Override
      public io.vertx.core.spi.metrics.VertxMetrics metrics(VertxOptions options) {
        return new LeanVertxMetrics(micrometer.metrics(options), registry);
      }

      @Override
      public io.vertx.core.metrics.MetricsOptions newOptions(io.vertx.core.metrics.MetricsOptions options) {
        return micrometer.newOptions(options);
      }

      @Override
      public io.vertx.core.metrics.MetricsOptions newOptions() {
        return micrometer.newOptions();
      }

      @Override
      public io.vertx.core.metrics.MetricsOptions newOptions(io.vertx.core.json.JsonObject json) {
        return micrometer.newOptions(json);
      }
    };
  }

  /** Makes {@code registry} (from {@link #enable}) the one {@link #of} returns for {@code vertx}. */
  public static void install(Vertx vertx, PrometheusMeterRegistry registry) {
    map(vertx).putIfAbsent(MAP, create(registry, true));
  }

  /** The node's metrics; a registry without Vert.x and JVM meters when {@code vertx} was built without {@link #enable}. */
  public static HubMetrics of(Vertx vertx) {
    LocalMap<String, HubMetrics> map = map(vertx);
    HubMetrics metrics = map.get(MAP);
    if (metrics == null) {
      HubMetrics fresh = create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
      metrics = map.putIfAbsent(MAP, fresh);
      return metrics == null ? fresh : metrics;
    }
    return metrics;
  }

  private static LocalMap<String, HubMetrics> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  /** @param jvm with the JVM meters (the node's process; not for hubs embedded in tests, which would add a GC listener each) */
  private static HubMetrics create(PrometheusMeterRegistry registry, boolean jvm) {
    if (!jvm) {
      return new HubMetrics(registry);
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return new HubMetrics(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The meters of the node's generations (one set for all its worker verticles). */
  public GenerationMeters generations() {
    return generations;
  }

  /** {@code streamhub_rate_limit_rejections_total{reason}}: what the limits refused. */
  public RateLimitRejections rejections() {
    return rejections;
  }

  /** {@code streamhub_store_operation_seconds} and {@code streamhub_store_errors_total} around {@code log}. */
  public StreamLog metered(StreamLog log, String store) {
    return new MeteredStreamLog(log, store, registry);
  }

  /**
   * The hub's meters read from {@code stats} (the sessions' accounting, also behind the node card of
   * {@code GET /v1/cluster}), one series per transport ({@code sse}, {@code openai_sse},
   * {@code websocket}, {@code long_poll}, {@code completion}): connections open, events and bytes
   * delivered, events replayed from the log, resumed reads; then the drain state and cluster membership.
   *
   * @param transports the transports' wire names ({@code session.Transport.wireNames()}), given by the
   *     caller so that {@code ops/} stays below {@code session/}
   */
  public void bind(Vertx vertx, EdgeStats stats, Drain drain, List<String> transports) {
    MeterRegistry r = registry;
    for (String name : transports) {
      Gauge.builder("streamhub.connections.open", stats, s -> s.connections(name)).tag("transport", name)
          .description("Client connections reading streams open now (one per session), by transport").register(r);
      FunctionCounter.builder("streamhub.events.delivered", stats, s -> s.eventsDelivered(name)).tag("transport", name)
          .description("Stream events handed to readers (replayed from the log or live), by transport").register(r);
      FunctionCounter.builder("streamhub.delivered.bytes", stats, s -> s.bytesWritten(name)).baseUnit("bytes").tag("transport", name)
          .description("Bytes of stream events and heartbeats handed to client connections, before compression "
              + "(SSE, OpenAI SSE and WebSocket framing)").register(r);
      FunctionCounter.builder("streamhub.replayed.events", stats, s -> s.replayed(name)).tag("transport", name)
          .description("Stream events read from the log for readers rather than taken live (catch-ups, resumes, slow readers "
              + "catching up), by transport").register(r);
      FunctionCounter.builder("streamhub.resumes", stats, s -> s.resumes(name)).tag("transport", name)
          .description("Readers opened past offset 0 (Last-Event-ID, WebSocket resubscription, long-poll after the first)")
          .register(r);
    }
    for (Drain.State state : Drain.State.values()) {
      Gauge.builder("streamhub.drain.state", drain, d -> d.state() == state ? 1 : 0).tag("state", state.wire())
          .description("1 for the node's drain state (up, draining, drained, stopping), 0 for the others").register(r);
    }
    Gauge.builder("streamhub.cluster.members", vertx, HubMetrics::members)
        .description("Members of the node's cluster as it sees them (1 when alone)").register(r);
  }

  private static double members(Vertx vertx) {
    ClusterManager manager = ClusterManagers.of(vertx);
    return manager == null ? 1 : manager.getNodes().size();
  }
}
