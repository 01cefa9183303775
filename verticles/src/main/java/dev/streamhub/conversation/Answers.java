package dev.streamhub.conversation;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.EventType;
import dev.streamhub.stream.HubException;
import dev.streamhub.streamlog.StreamLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The answer a finished stream gave, read from the log: the concatenated {@code delta} texts and
 * how it ended. An assistant turn is filled in from this once its stream has ended.
 */
final class Answers {

  private static final int PAGE = 512;

  private final StreamLog log;

  Answers(StreamLog log) {
    this.log = log;
  }

  /**
   * The turn {@code pending} becomes: itself while its stream runs; {@code done}, {@code error} or
   * {@code cancelled} with the text once it ended; {@code lost} if the stream (or its beginning)
   * expired. Fails only when the log cannot be reached.
   */
  Future<Turn> resolve(Turn pending) {
    return log.meta(pending.stream())
        .compose(meta -> {
          if (!meta.finished()) {
            return Future.succeededFuture(pending);
          }
          // an answer whose beginning is no longer retained would be recorded wrong: it is lost
          return meta.firstOffset() > 0
              ? Future.succeededFuture(new Turn(Turn.ASSISTANT, "", pending.stream(), Turn.LOST, null))
              : readFrom(pending, 0, new StringBuilder());
        })
        .recover(err -> err instanceof HubException e
            && (e.code() == ErrorCode.STREAM_NOT_FOUND || e.code() == ErrorCode.OFFSET_EXPIRED)
            ? Future.succeededFuture(new Turn(Turn.ASSISTANT, "", pending.stream(), Turn.LOST, null))
            : Future.failedFuture(err));
  }

  private Future<Turn> readFrom(Turn pending, long from, StringBuilder text) {
    return log.read(pending.stream(), from, PAGE).compose(page -> {
      for (Event event : page.events()) {
        if (event.type() == EventType.DELTA) {
          text.append(event.data().getString("text", ""));
        } else if (event.type().isTerminal()) {
          return Future.succeededFuture(ended(pending, event, text.toString()));
        }
      }
      return page.events().isEmpty()
          ? Future.succeededFuture(new Turn(Turn.ASSISTANT, text.toString(), pending.stream(), Turn.LOST, null))
          : readFrom(pending, page.next(), text);
    });
  }

  private static Turn ended(Turn pending, Event terminal, String text) {
    JsonObject data = terminal.data();
    JsonObject error = terminal.type() == EventType.ERROR
        ? new JsonObject().put("code", data.getString("code")).put("message", data.getString("message"))
        : null;
    return new Turn(Turn.ASSISTANT, text, pending.stream(), terminal.type() == EventType.DONE ? Turn.DONE : terminal.type().wire(), error);
  }
}
