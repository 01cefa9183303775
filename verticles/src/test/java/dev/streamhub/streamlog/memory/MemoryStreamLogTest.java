package dev.streamhub.streamlog.memory;

import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.StreamLogContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The in-memory store against the {@link StreamLogContract}. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemoryStreamLogTest extends StreamLogContract {

  @Override
  protected Future<StreamLog> newLog(Vertx vertx, StreamLogConfig config) {
    return Future.succeededFuture(new MemoryStreamLog(config));
  }
}
