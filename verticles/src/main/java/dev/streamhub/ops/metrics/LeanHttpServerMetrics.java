package dev.streamhub.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's HTTP server request meters, the same series as {@code vertx-micrometer-metrics} 5.0's
 * {@code VertxHttpServerMetrics} with the labels {@link HubMetrics#enable} turns on
 * ({@code method}; {@code method}, {@code route}, {@code code} on response meters; no local or
 * remote address), but each meter looked up once and kept instead of rebuilt per request (see
 * {@link LeanVertxMetrics} for the measured reason):
 * <ul>
 *   <li>{@code vertx_http_server_active_requests{method}} gauge, {@code vertx_http_server_request_bytes{method}},
 *       {@code vertx_http_server_request_resets_total{method}};</li>
 *   <li>{@code vertx_http_server_requests_total}, {@code vertx_http_server_response_time_seconds},
 *       {@code vertx_http_server_response_bytes}, each by {@code method, route, code}.</li>
 * </ul>
 * Connection-level meters (active connections, bytes, errors, WebSocket connections) stay Vert.x's own
 * ({@code delegate}). Thread safe: the meter caches are concurrent maps; a request's state is used
 * on its connection's event loop only, as in Vert.x.
 */
final class LeanHttpServerMetrics<S, W> implements HttpServerMetrics<LeanHttpServerMetrics.Request, W, S> {

  private static final String BASE = "vertx.http.server.";

  private final HttpServerMetrics<Object, W, S> delegate;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, MethodMeters> byMethod = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ResponseKey, ResponseMeters> byResponse = new ConcurrentHashMap<>();

  private LeanHttpServerMetrics(HttpServerMetrics<Object, W, S> delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @SuppressWarnings("unchecked")
  static HttpServerMetrics<?, ?, ?> wrap(HttpServerMetrics<?, ?, ?> delegate, MeterRegistry registry) {
    return new LeanHttpServerMetrics<>((HttpServerMetrics<Object, Object, Object>) delegate, registry);
  }

  @Override
  public Request requestBegin(S socketMetric, HttpRequest request) {
    return begin(request.method());
  }

  @Override
  public Request responsePushed(S socketMetric, HttpMethod method, String uri, HttpResponse response) {
    return begin(method);
  }

  private Request begin(HttpMethod method) {
    MethodMeters meters = byMethod.computeIfAbsent(method.name(), this::methodMeters);
    meters.active.increment();
    return new Request(meters, System.nanoTime());
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    request.meters.requestBytes.record(bytesRead);
    if (request.requestEnded()) {
      request.meters.active.decrement();
    }
  }

  @Override
  public void requestReset(Request request) {
    Counter.builder(BASE + "request.resets").description("Number of request resets").tag("method", request.meters.method)
        .register(registry).increment(); // rare: looked up when it happens, as Vert.x does
    request.meters.active.decrement();
    request.reset = true;
  }

  @Override
  public void requestRouted(Request request, String route) {
    request.addRoute(route);
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    ResponseKey key = new ResponseKey(request.meters.method, request.routes(), response.statusCode());
    ResponseMeters meters = byResponse.get(key);
    if (meters == null) {
      meters = byResponse.computeIfAbsent(key.frozen(), this::responseMeters);
    }
    meters.requests.increment();
    meters.time.record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    meters.bytes.record(bytesWritten);
    if (request.responseEnded()) {
      request.meters.active.decrement();
    }
  }

  @Override
  public W connected(S socketMetric, Request request, ServerWebSocket serverWebSocket) {
    return delegate.connected(socketMetric, null, serverWebSocket); // Vert.x's reads only the socket's tags
  }

  @Override
  public void disconnected(W serverWebSocketMetric) {
    delegate.disconnected(serverWebSocketMetric);
  }

  @Override
  public S connected(SocketAddress remoteAddress, String remoteName) {
    return delegate.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(S socketMetric, SocketAddress remoteAddress) {
    delegate.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(S socketMetric, SocketAddress remoteAddress, Throwable t) {
    delegate.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private MethodMeters methodMeters(String method) {
    Tags tags = Tags.of("method", method);
    LongAdder active = new LongAdder();
    Gauge.builder(BASE + "active.requests", active, LongAdder::doubleValue).description("Number of requests being processed")
        .tags(tags).strongReference(true).register(registry);
    return new MethodMeters(method, active,
        DistributionSummary.builder(BASE + "request.bytes").description("Size of requests in bytes").tags(tags).register(registry));
  }

  private ResponseMeters responseMeters(ResponseKey key) {
    Tags tags = Tags.of("method", key.method, "route", label(key.routes), "code", String.valueOf(key.code));
    return new ResponseMeters(
        Counter.builder(BASE + "requests").description("Number of processed requests").tags(tags).register(registry),
        Timer.builder(BASE + "response.time").description("Request processing time").tags(tags).register(registry),
        DistributionSummary.builder(BASE + "response.bytes").description("Size of responses in bytes").tags(tags).register(registry));
  }

  private record MethodMeters(String method, LongAdder active, DistributionSummary requestBytes) {}

  /** Vert.x's route label: the one route, or every route taken joined by {@code >}, or empty. */
  private static String label(Object routes) {
    if (routes instanceof List<?> list) {
      return String.join(">", list.stream().map(String::valueOf).toList());
    }
    return routes == null ? "" : (String) routes;
  }

  /** {@code routes}: null, one route's name, or the list of them (joined into the label only when the meters are made). */
  private record ResponseKey(String method, Object routes, int code) {
    /** This key with its own copy of a list of routes, to be kept in the cache (the request's list is the request's). */
    ResponseKey frozen() {
      return routes instanceof List<?> list ? new ResponseKey(method, List.copyOf(list), code) : this;
    }
  }

  private record ResponseMeters(Counter requests, Timer time, DistributionSummary bytes) {}

  /** One request's state: its method's meters, its start, the routes it took (Vert.x's {@code a>b} label), how it ended. */
  static final class Request {
    private final MethodMeters meters;
    private final long startNanos;
    private String route;
    private List<String> routes;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    Request(MethodMeters meters, long startNanos) {
      this.meters = meters;
      this.startNanos = startNanos;
    }

    void addRoute(String name) {
      if (name == null) {
        return;
      }
      if (route == null && routes == null) {
        route = name;
        return;
      }
      if (routes == null) {
        routes = new ArrayList<>(4);
        routes.add(route);
      }
      routes.add(name);
      route = null;
    }

    /** Null (no route), the one route's name, or the names of every route taken, in order. */
    Object routes() {
      return routes != null ? routes : route;
    }

    boolean requestEnded() {
      requestEnded = true;
      return !reset && responseEnded;
    }

    boolean responseEnded() {
      responseEnded = true;
      return !reset && requestEnded;
    }
  }
}
