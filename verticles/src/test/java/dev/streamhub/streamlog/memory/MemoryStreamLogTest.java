package dev.streamhub.streamlog.memory;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamLogContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The in-memory store against the {@link StreamLogContract}. */
class MemoryStreamLogTest extends StreamLogContract {

  @Override
  protected Future<StreamLog> newLog(Vertx vertx, StreamLogConfig config) {
    return Future.succeededFuture(new MemoryStreamLog(config));
  }
}
