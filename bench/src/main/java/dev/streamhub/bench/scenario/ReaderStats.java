package dev.streamhub.bench.scenario;

import dev.streamhub.bench.measure.LatencySummary;
import dev.streamhub.bench.measure.Recorder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Everything the readers of all shards saw, merged: latency percentiles, order counts, how many
 * streams ended, and delivered tokens per second over the steady window.
 *
 * <p>The steady window runs from the moment the last reader got its first token (every reader is
 * open and receiving) to the moment the first reader got its last token (streams start
 * finishing). When
 * that window is shorter than a second the rate is taken from first to last token instead, and
 * {@code delivered_window} says so.
 */
final class ReaderStats {

  final Recorder recorder;
  final Histogram openTimes = new Histogram(3);
  final Histogram createTimes = new Histogram(3);
  final LatencySummary live;
  final LatencySummary all;
  long readers;
  long opened;
  long ended;
  long endedDone;
  long lost;
  long duplicates;
  long outOfOrder;
  long tokenCountMismatch;
  long eventsWithoutId;
  long errors;
  final List<String> errorSamples = new ArrayList<>();
  long lastOpenedAt = Long.MIN_VALUE;
  long firstLastTokenAt = Long.MAX_VALUE;
  long firstTokenAt = Long.MAX_VALUE;
  long lastFirstTokenAt = Long.MIN_VALUE;
  long lastTokenAt = Long.MIN_VALUE;

  ReaderStats(List<ReaderSet> sets, long originMicros) {
    recorder = new Recorder(originMicros);
    for (ReaderSet set : sets) {
      recorder.merge(set.recorder);
      openTimes.add(set.openTimes);
      createTimes.add(set.createTimes);
      errors += set.errorCount;
      for (String e : set.errors) {
        if (errorSamples.size() < 5) {
          errorSamples.add(e);
        }
      }
      for (StreamReader r : set.readers) {
        readers++;
        if (r.openedAt >= 0) {
          opened++;
          lastOpenedAt = Math.max(lastOpenedAt, r.openedAt);
        }
        if (r.ended()) {
          ended++;
          if (r.terminal.equals("done")) {
            endedDone++;
          }
        }
        lost += r.check.lost();
        duplicates += r.check.duplicates();
        outOfOrder += r.check.outOfOrder();
        eventsWithoutId += r.eventsWithoutId;
        if (r.completionTokens >= 0 && r.completionTokens != r.tokens) {
          tokenCountMismatch++;
        }
        if (r.tokens > 0) {
          firstTokenAt = Math.min(firstTokenAt, r.firstTokenAt);
          lastFirstTokenAt = Math.max(lastFirstTokenAt, r.firstTokenAt);
          lastTokenAt = Math.max(lastTokenAt, r.lastTokenAt);
          if (r.ended()) {
            firstLastTokenAt = Math.min(firstLastTokenAt, r.lastTokenAt);
          }
        }
      }
    }
    live = LatencySummary.of(recorder.live());
    all = LatencySummary.of(recorder.all());
  }

  /** The common fields of a record of readers: rates, latencies, counts. */
  JsonObject toJson(long expectedTokens) {
    JsonObject json = new JsonObject();
    long origin = recorder.originMicros();
    long windowStart = Math.max(lastOpenedAt, lastFirstTokenAt);
    double windowS = Recorder.windowSeconds(origin, windowStart, firstLastTokenAt);
    String window = "steady";
    double rate;
    if (opened == 0 || windowS < 1.0) {
      window = "first-to-last-token";
      windowS = (lastTokenAt - firstTokenAt) / 1e6;
      rate = windowS > 0 ? recorder.tokens() / windowS : 0;
    } else {
      rate = recorder.tokensBetween(windowStart, firstLastTokenAt) / windowS;
    }
    json.put("delivered_per_s", Math.round(rate))
        .put("delivered_window", window)
        .put("delivered_window_s", Math.round(windowS * 100) / 100.0)
        .put("delivered_tokens", recorder.tokens())
        .put("expected_tokens", expectedTokens)
        .put("delivered_per_s_overall", lastTokenAt > firstTokenAt
            ? Math.round(recorder.tokens() / ((lastTokenAt - firstTokenAt) / 1e6)) : null);
    LatencySummary endToEnd = LatencySummary.of(recorder.endToEnd());
    if (endToEnd.count() > 0) {
      // Relay mode: the headline latency is the load generator's send time to receive time; the
      // hub's append time (ts) to receive time is kept as hub_ts_*.
      endToEnd.into(json, "");
      live.into(json, "hub_ts_");
      json.put("latency_kind", "end to end: the load generator's POST send time (in the event's data) to receive time; "
          + "hub_ts_*: the hub's append time (ts) to receive time");
    } else {
      live.into(json, "");
      json.put("latency_kind", "the hub's append time (ts) to receive time, tokens appended after the reader opened");
    }
    all.into(json, "all_");
    json.put("live_tokens", live.count())
        .put("catch_up_tokens", recorder.catchUp())
        .put("negative_latencies", recorder.negative())
        .put("lost", lost)
        .put("duplicates", duplicates)
        .put("out_of_order", outOfOrder)
        .put("readers", readers)
        .put("readers_opened", opened)
        .put("readers_ended_done", endedDone)
        .put("incomplete", readers - ended)
        .put("token_count_mismatch", tokenCountMismatch)
        .put("events_without_id", eventsWithoutId)
        .put("errors", errors)
        .put("error_samples", new JsonArray(new ArrayList<>(errorSamples)))
        .put("all_readers_open_s", lastOpenedAt == Long.MIN_VALUE ? null : Math.round((lastOpenedAt - origin) / 1e4) / 100.0)
        .put("delivered_per_s_timeline", longs(recorder.perSecond()))
        .put("p50_ms_timeline", new JsonArray(java.util.Arrays.asList(recorder.latencyPerSecondMs(50))))
        .put("p99_ms_timeline", new JsonArray(java.util.Arrays.asList(recorder.latencyPerSecondMs(99))));
    LatencySummary.of(openTimes).into(json, "reader_open_");
    if (createTimes.getTotalCount() > 0) {
      LatencySummary.of(createTimes).into(json, "create_");
    }
    return json;
  }

  /** Every token delivered exactly once, in order, to every reader, and every reader saw {@code done}. */
  boolean complete(long expectedTokens) {
    return lost == 0 && duplicates == 0 && outOfOrder == 0 && tokenCountMismatch == 0
        && endedDone == readers && errors == 0 && recorder.tokens() == expectedTokens;
  }

  private static JsonArray longs(long[] values) {
    JsonArray array = new JsonArray();
    for (long v : values) {
      array.add(v);
    }
    return array;
  }
}
