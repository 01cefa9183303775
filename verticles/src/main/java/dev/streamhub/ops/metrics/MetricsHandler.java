package dev.streamhub.ops.metrics;

import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics}: the node's registry in the Prometheus text format (version 0.0.4, or
 * OpenMetrics when the scraper asks for it). Mounted before the node's {@code draining} refusal, so
 * a draining node can still be watched. Not authenticated: scrape each node directly (the shipped
 * {@code nginx.conf} does not pass it through).
 */
public final class MetricsHandler {

  private final HubMetrics metrics;

  public MetricsHandler(HubMetrics metrics) {
    this.metrics = metrics;
  }

  public void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.registry()));
  }
}
