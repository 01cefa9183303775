package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hub serves the browser demo (web-demo/) from its jar, next to the API. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoPagesTest {

  @Test
  void servesTheDemoPageAndItsClientAtTheRoot(Vertx vertx) {
    Hub hub = await(TestHubs.start(vertx));
    HubClient client = new HubClient(vertx, hub.port());
    try {
      HttpResponse<Buffer> page = await(client.get("/"));
      HttpResponse<Buffer> script = await(client.get("/streamhub-client.js"));

      assertEquals(200, page.statusCode());
      assertTrue(page.getHeader("content-type").startsWith("text/html"), page.getHeader("content-type"));
      assertTrue(page.bodyAsString().contains("import { StreamHubClient } from './streamhub-client.js'"));
      assertEquals(200, script.statusCode());
      assertTrue(script.getHeader("content-type").startsWith("text/javascript"), script.getHeader("content-type"));
      assertTrue(script.bodyAsString().contains("export class StreamHubClient"));
    } finally {
      await(hub.stop());
    }
  }

  @Test
  void servesTheDashboardAndTheSharedStylesAndChart(Vertx vertx) {
    Hub hub = await(TestHubs.start(vertx));
    HubClient client = new HubClient(vertx, hub.port());
    try {
      HttpResponse<Buffer> dashboard = await(client.get("/dashboard.html"));
      HttpResponse<Buffer> css = await(client.get("/streamhub.css"));
      HttpResponse<Buffer> chart = await(client.get("/sparkline.js"));

      assertEquals(200, dashboard.statusCode());
      assertTrue(dashboard.bodyAsString().contains("/v1/cluster"));
      assertEquals(200, css.statusCode());
      assertTrue(css.getHeader("content-type").startsWith("text/css"), css.getHeader("content-type"));
      assertEquals(200, chart.statusCode());
      assertTrue(chart.bodyAsString().contains("export class Sparkline"));
    } finally {
      await(hub.stop());
    }
  }
}
