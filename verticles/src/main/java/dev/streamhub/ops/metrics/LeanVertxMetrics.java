package dev.streamhub.ops.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.Vertx;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Vert.x's Micrometer metrics ({@code vertx-micrometer-metrics}) with the two per-message paths
 * made cheap: HTTP server requests ({@link LeanHttpServerMetrics}) and event-bus publishes and
 * receipts without a consumer ({@link LeanEventBusMetrics}). Everything else is Vert.x's own.
 *
 * <p>Why not the library's: it builds every meter's id and tags again for each request (five
 * meter look-ups per HTTP request, two per event-bus message). In relay mode, one POST per token,
 * that was 9 % of the hub's CPU samples and 12 % of its allocation (bench/PERFORMANCE.md, issue
 * 16). The replacements register the same meters (names, descriptions, tags, types) in the same
 * registry and keep them, so {@code /metrics} shows the same series.
 */
final class LeanVertxMetrics implements VertxMetrics {

  private final VertxMetrics delegate;
  private final MeterRegistry registry;

  LeanVertxMetrics(VertxMetrics delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public EventBusMetrics createEventBusMetrics() {
    EventBusMetrics<?> metrics = delegate.createEventBusMetrics();
    return metrics == null ? null : new LeanEventBusMetrics<>(metrics, registry);
  }

  @Override
  public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
    HttpServerMetrics<?, ?, ?> metrics = delegate.createHttpServerMetrics(options, localAddress);
    return metrics == null ? null : LeanHttpServerMetrics.wrap(metrics, registry);
  }

  @Override
  public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
    return delegate.createClientMetrics(remoteAddress, type, namespace);
  }

  @Override
  public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
    return delegate.createHttpClientMetrics(options);
  }

  @Override
  public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
    return delegate.createNetServerMetrics(options, localAddress);
  }

  @Override
  public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
    return delegate.createNetClientMetrics(options);
  }

  @Override
  public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
    return delegate.createDatagramSocketMetrics(options);
  }

  @Override
  public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
    return delegate.createPoolMetrics(type, name, maxSize);
  }

  @Override
  public void vertxCreated(Vertx vertx) {
    delegate.vertxCreated(vertx);
  }

  @Override
  public boolean isMetricsEnabled() {
    return delegate.isMetricsEnabled();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
