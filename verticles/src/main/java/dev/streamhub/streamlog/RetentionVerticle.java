package dev.streamhub.streamlog;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the log's retention every few seconds ({@link StreamLog#expire()}). */
public final class RetentionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  static final long INTERVAL_MS = 10_000;

  private final StreamLog log;
  private final long intervalMs;

  public RetentionVerticle(StreamLog log) {
    this(log, INTERVAL_MS);
  }

  /** Sweeps every {@code intervalMs} (tests sweep more often than the hub's 10 s). */
  RetentionVerticle(StreamLog log, long intervalMs) {
    this.log = log;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(intervalMs, id -> log.expire()
        .onSuccess(dropped -> {
          if (dropped > 0) {
            LOG.debug("retention dropped {} streams", dropped);
          }
        })
        .onFailure(err -> LOG.warn("retention sweep failed: {}", err.getMessage())));
    return Future.succeededFuture();
  }
}
