package dev.streamhub.publish;

import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamIds;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamWriter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The hub as a relay: external streams that their owner creates empty and fills with events, the
 * hub assigning offsets. Readers use them exactly as model streams. Events go through the one
 * {@link StreamWriter}, so append-then-publish holds here too.
 */
public final class Publisher {

  private final StreamLog log;
  private final StreamWriter writer;

  public Publisher(StreamLog log, StreamWriter writer) {
    this.log = log;
    this.writer = writer;
  }

  /** A new, empty external stream owned by {@code owner}. */
  public Future<StreamMeta> create(String owner) {
    return log.create(StreamMeta.fresh(StreamIds.next(), owner, StreamMeta.EXTERNAL, System.currentTimeMillis()));
  }

  /**
   * Appends {@code events} a worker generated to the model stream {@code stream} (the bridge's
   * publish address). Fails with {@code stream_not_found}, {@code forbidden} for an external stream
   * (its owner publishes it) or {@code stream_finished}.
   */
  public Future<List<Event>> publishGenerated(String stream, List<NewEvent> events) {
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    return log.meta(stream).compose(meta -> {
      if (meta.external()) {
        return Future.failedFuture(new HubException(ErrorCode.FORBIDDEN, "stream '" + stream + "' is external: its owner publishes it over HTTP"));
      }
      if (meta.finished()) {
        return Future.failedFuture(new HubException(ErrorCode.STREAM_FINISHED, "stream '" + stream + "' has already ended"));
      }
      return writer.write(stream, events);
    });
  }

  /** Where published events landed: {@code {"stream","first_offset","next_offset","finished"}}. */
  public static JsonObject receipt(String stream, List<Event> written) {
    Event last = written.get(written.size() - 1);
    return new JsonObject()
        .put("stream", stream)
        .put("first_offset", written.get(0).offset())
        .put("next_offset", last.offset() + 1)
        .put("finished", last.type().isTerminal());
  }

  /**
   * {@link #receipt} as JSON text, the same characters as {@code receipt(stream, written).encode()},
   * written by hand: one string per publish request instead of a {@code JsonObject} and a Jackson
   * generator (relay mode answers one POST per token). An id with a character JSON would escape
   * goes through Jackson, which escapes what it must.
   */
  public static String receiptText(String stream, List<Event> written) {
    if (!plain(stream)) {
      return receipt(stream, written).encode();
    }
    Event last = written.get(written.size() - 1);
    return "{\"stream\":\"" + stream + "\",\"first_offset\":" + written.get(0).offset() + ",\"next_offset\":" + (last.offset() + 1)
        + ",\"finished\":" + last.type().isTerminal() + "}";
  }

  /** True when {@code s} is only letters, digits, {@code _} and {@code -} (a stream id's alphabet): JSON escapes none of them. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends {@code events} to {@code stream} for {@code owner}. Fails with {@code stream_not_found},
   * {@code forbidden} (another owner's stream), {@code stream_not_external} (a model produces it) or
   * {@code stream_finished}.
   *
   * @return the events as stored, with their offsets
   */
  public Future<List<Event>> publish(String stream, String owner, List<NewEvent> events) {
    if (!StreamIds.looksValid(stream)) {
      return Future.failedFuture(HubException.streamNotFound(stream));
    }
    return log.meta(stream).compose(meta -> {
      if (!meta.owner().equals(owner)) {
        return Future.failedFuture(new HubException(ErrorCode.FORBIDDEN, "stream '" + stream + "' belongs to another owner"));
      }
      if (!meta.external()) {
        return Future.failedFuture(new HubException(ErrorCode.STREAM_NOT_EXTERNAL,
            "stream '" + stream + "' is produced by model '" + meta.model() + "'; only streams created with \"publisher\":\"external\" take published events"));
      }
      if (meta.finished()) {
        return Future.failedFuture(new HubException(ErrorCode.STREAM_FINISHED, "stream '" + stream + "' has already ended"));
      }
      return writer.write(stream, events);
    });
  }
}
