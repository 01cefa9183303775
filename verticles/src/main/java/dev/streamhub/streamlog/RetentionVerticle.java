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

  public RetentionVerticle(StreamLog log) {
    this.log = log;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(INTERVAL_MS, id -> log.expire()
        .onSuccess(dropped -> {
          if (dropped > 0) {
            LOG.debug("retention dropped {} streams", dropped);
          }
        })
        .onFailure(err -> LOG.warn("retention sweep failed: {}", err.getMessage())));
    return Future.succeededFuture();
  }
}
