package dev.streamhub.transport;

import static dev.streamhub.transport.TransportConformanceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.SseFrame;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.MultiMap;
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

/** Offsets are ASCII digits only, on every transport; an empty last event id means none was seen. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffsetsTest {

  @Test
  void onlyAsciiDigitsAreAnOffset() {
    assertEquals(0, Offsets.parse("from", "0"));
    assertEquals(3, Offsets.parse("from", "3"));
    assertEquals(3, Offsets.parse("from", "003"));
    assertEquals(999_999_999_999_999_999L, Offsets.parse("from", "999999999999999999"));
    for (String bad : List.of("+3", "-3", " 3", "3 ", "\uff13", "\u0663", "\u0969", "3.0", "1e3", "0x3", "", "1000000000000000000", "\u00b3")) {
      HubException e = assertThrows(HubException.class, () -> Offsets.parse("from", bad), "'" + bad + "'");
      assertEquals(ErrorCode.BAD_OFFSET, e.code());
      assertEquals("from must be a non-negative integer offset in ASCII digits 0-9, got '" + bad + "'", e.getMessage());
    }
  }

  @Test
  void everyTransportRefusesNonAsciiDigits(Vertx vertx) throws Exception {
    FinishedStream.check(vertx, "digits", 5, finished -> {
      HubClient client = finished.client();
      String stream = finished.id();
      for (Transport transport : Transport.values()) {
        for (String bad : List.of("+3", "\uff13", "\u0663")) {
          String from = transport == Transport.WS ? bad : URLEncoder.encode(bad, StandardCharsets.UTF_8);
          assertEquals(new StreamReader.Refusal(transport == Transport.WS ? 0 : 400, "bad_offset"),
              await(transport.reader(vertx, finished.hub().port()).refusal(stream, from)), transport + " " + bad);
        }
      }
      var header = await(client.readSse("/v1/streams/" + stream + "/events", MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", "+2")));
      assertEquals(400, header.status());
      assertEquals("bad_offset", new JsonObject(header.body()).getJsonObject("error").getString("code"));
    });
  }

  @Test
  void aLastEventIdPastTheEndIsNamedAsTheClientSentIt(Vertx vertx) throws Exception {
    FinishedStream.check(vertx, "past the end", 5, finished -> {
      HubClient client = finished.client();
      String stream = finished.id();
      long next = finished.next();
      String events = "/v1/streams/" + stream + "/events";

      assertEquals(204, await(client.readSse(events, MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", Long.toString(next - 1)))).status());
      for (String format : List.of("", "?format=openai")) {
        var past = await(client.readSse(events + format, MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", Long.toString(next + 3))));
        assertEquals(400, past.status(), past.body());
        JsonObject error = new JsonObject(past.body()).getJsonObject("error");
        assertEquals("bad_offset", error.getString("code"));
        assertTrue(error.getString("message").startsWith("Last-Event-ID " + (next + 3) + " is past the end of the stream: "), error.getString("message"));
      }
      var query = await(client.readSse(events + "?lastEventId=" + next));
      assertTrue(new JsonObject(query.body()).getJsonObject("error").getString("message").startsWith("lastEventId " + next + " is past the end"),
          query.body());
      for (String asked : List.of("from " + (next + 1), "lastEventId " + next)) {
        var poll = await(client.get("/v1/streams/" + stream + "/poll?" + asked.replace(' ', '=') + "&timeout=0"));
        assertEquals(400, poll.statusCode(), poll.bodyAsString());
        JsonObject error = poll.bodyAsJsonObject().getJsonObject("error");
        assertEquals("bad_offset", error.getString("code"));
        assertTrue(error.getString("message").startsWith(asked + " is past the end of the stream: "), error.getString("message"));
      }
    });
  }

  @Test
  void anEmptyLastEventIdIsTheSameAsAnEmptyHeaderAndAsNone(Vertx vertx) throws Exception {
    FinishedStream.check(vertx, "empty ids", 5, finished -> {
      HubClient client = finished.client();
      String stream = finished.id();
      String events = "/v1/streams/" + stream + "/events";
      List<Long> all = SseFrame.offsets(await(client.readSse(events)).frames());

      assertEquals(all, SseFrame.offsets(await(client.readSse(events + "?lastEventId=")).frames()));
      assertEquals(all, SseFrame.offsets(await(client.readSse(events, MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", ""))).frames()));
      assertEquals(all.subList(2, all.size()), SseFrame.offsets(await(client.readSse(events + "?lastEventId=&from=2")).frames()));
      var poll = await(client.get("/v1/streams/" + stream + "/poll?lastEventId=&timeout=1"));
      assertEquals(200, poll.statusCode(), poll.bodyAsString());
      assertEquals(0L, poll.bodyAsJsonObject().getJsonArray("events").getJsonObject(0).getLong("offset"));
    });
  }
}
