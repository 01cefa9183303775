package dev.streamhub.transport.poll;

import dev.streamhub.session.Framing;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.subscribe.Sink;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Sink} that fills one long-poll batch. The batch is answered on the tick after its first
 * event (so everything delivered together goes out together), at the stream's end, or at the
 * timeout. It reports a full write queue once the batch reached its count or byte bound, which
 * stops the subscription; the next poll continues from the log. As its session's {@link Framing}: no
 * heartbeat on the wire, a drain answers at once with what the batch holds.
 */
final class PollSink implements Sink, Framing {

  private final Vertx vertx;
  private final int maxEvents;
  private final int maxBytes;
  private final Promise<String> answer = Promise.promise();
  private final List<String> events = new ArrayList<>();
  private int bytes;
  private long next;
  private boolean done;

  PollSink(Vertx vertx, long from, int maxEvents, int maxBytes) {
    this.vertx = vertx;
    this.next = from;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  /** The response body, once the batch is complete. */
  Future<String> answer() {
    return answer.future();
  }

  /** Answers with what the batch holds now (possibly nothing). */
  void timeout() {
    answer.tryComplete(body());
  }

  /** The stream had ended before the requested offset: answer at once with {@code done}. */
  void endedBefore() {
    end();
  }

  @Override
  public void send(Event event) {
    String json = event.wire();
    events.add(json);
    bytes += json.length();
    next = event.offset() + 1;
    if (events.size() == 1) {
      vertx.runOnContext(v -> answer.tryComplete(body()));
    }
  }

  @Override
  public boolean writeQueueFull() {
    return events.size() >= maxEvents || bytes >= maxBytes;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    // never called back: a full batch is answered and the subscription closed
  }

  @Override
  public void end() {
    done = true;
    answer.tryComplete(body());
  }

  @Override
  public void fail(HubException error) {
    answer.tryFail(error);
  }

  /** The node drains: answer now with what the batch holds, as a timeout would. */
  @Override
  public void letGo() {
    timeout();
  }

  /** The client went away (or the answer is out): a pending answer fails, which cancels the timer. */
  @Override
  public void closed() {
    answer.tryFail(new HubException(ErrorCode.BAD_REQUEST, "client went away"));
  }

  /** {@code {"events":[...], "next": N, "done": bool}}, events as on every transport. */
  private String body() {
    StringBuilder body = new StringBuilder(bytes + events.size() + 64).append("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append(events.get(i));
    }
    return body.append("],\"next\":").append(next).append(",\"done\":").append(done).append('}').toString();
  }
}
