package dev.streamhub.bench.load;

import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads an Nchan channel with the load generator's SSE reader ({@link SseTransport}):
 * {@code GET /sub/<channel>} as EventSource, from the oldest buffered message. Nchan's
 * {@code id:} is its own ({@code time:tag}), so the offset is the publisher's {@code seq} in the
 * message, the type is the message's {@code type}, and {@code ts} is the publisher's send time
 * {@code t} (Nchan stamps no time of its own). A message that is a JSON array (the publisher's
 * closing {@code [usage, done]}) is one event per element, as StreamHub stores it. Nchan keeps
 * the response open after the last message, so the reader closes it after {@code done}.
 */
public final class NchanTransport implements Transport {

  private final SseTransport sse;

  public NchanTransport(HttpClient client, Target target) {
    this.sse = new SseTransport(client, target, (channel, from) -> {
      if (from != 0) {
        throw new IllegalArgumentException("Nchan readers start from the oldest message (from=0), not " + from);
      }
      return "/sub/" + channel;
    }, NchanTransport::decode);
  }

  @Override
  public String name() {
    return "sse";
  }

  @Override
  public Reading read(String stream, long from, StreamListener listener) {
    return sse.read(stream, from, listener);
  }

  /** One Nchan message as listener events; true after a terminal one. */
  static boolean decode(String id, String sseType, String data, long atMicros, StreamListener listener) {
    if (data.startsWith("[")) {
      JsonArray batch = new JsonArray(data);
      boolean end = false;
      for (int i = 0; i < batch.size(); i++) {
        JsonObject event = batch.getJsonObject(i);
        JsonObject body = event.getJsonObject("data", new JsonObject());
        String type = event.getString("type", sseType);
        listener.onEvent(body.getLong("seq", -1L), type, body.getLong("t", -1L), event.encode(), atMicros);
        end |= terminal(type);
      }
      return end;
    }
    String type = EventFields.firstString(data, "type");
    if (type == null) {
      type = sseType;
    }
    listener.onEvent(EventFields.firstNumber(data, "seq"), type, EventFields.firstNumber(data, "t"), data, atMicros);
    return terminal(type);
  }

  private static boolean terminal(String type) {
    return type.equals("done") || type.equals("error") || type.equals("cancelled");
  }
}
