package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamhub.HubClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Query booleans are exactly true/false; a long-poll timeout is whole seconds; anything else is 400 bad_request saying so. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueryParamsTest {

  @Test
  void includeUsageIsTrueOrFalseAndNothingElse(Vertx vertx) throws Exception {
    FinishedStream.check(vertx, "booleans", 3, finished -> {
      HubClient client = finished.client();
      String stream = finished.id();
      String events = "/v1/streams/" + stream + "/events?format=openai&include_usage=";
      for (String bad : List.of("maybe", "TRUE", "1", "yes", "", "true ")) {
        var answer = await(client.readSse(events + URLEncoder.encode(bad, StandardCharsets.UTF_8)));
        assertEquals(400, answer.status(), bad);
        JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
        assertEquals("bad_request", error.getString("code"), bad);
        assertEquals("include_usage must be true or false, got '" + bad + "'", error.getString("message"));
      }
      String withUsage = await(client.readSse(events + "true")).body();
      String without = await(client.readSse(events + "false")).body();
      assertEquals(1, count(withUsage, "\"usage\""), withUsage);
      assertEquals(0, count(without, "\"usage\""), without);
    });
  }

  @Test
  void aPollTimeoutIsWholeSeconds(Vertx vertx) throws Exception {
    FinishedStream.check(vertx, "seconds", 3, finished -> {
      HubClient client = finished.client();
      String stream = finished.id();
      long next = finished.next();
      String poll = "/v1/streams/" + stream + "/poll?from=0&timeout=";
      for (String bad : List.of("1.5", "-1", "+1", "1e1", "2s", "", " 1", "\uff11", "0x1", "9999999999")) {
        var answer = await(client.get(poll + URLEncoder.encode(bad, StandardCharsets.UTF_8)));
        assertEquals(400, answer.statusCode(), bad);
        JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
        assertEquals("bad_request", error.getString("code"), bad);
        assertEquals("timeout must be a whole number of seconds (ASCII digits 0-9, no sign or decimal point), got '" + bad + "'",
            error.getString("message"));
      }
      for (String good : List.of("0", "1", "007")) {
        var answer = await(client.get(poll + good));
        assertEquals(200, answer.statusCode(), good + " " + answer.bodyAsString());
        assertEquals(next, answer.bodyAsJsonObject().getJsonArray("events").size(), good);
      }
    });
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
