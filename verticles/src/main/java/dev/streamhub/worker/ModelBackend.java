package dev.streamhub.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Something that turns a generation request into tokens: the demo model, an upstream server, ... */
public interface ModelBackend {

  /**
   * Gets ready before {@link #models()} is asked, say by listing an upstream's models. Runs on the
   * worker verticle's context; the default has nothing to do.
   */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** The models served, in OpenAI's model-object shape ({@code id}, {@code object}, {@code owned_by}, ...). */
  List<JsonObject> models();

  /**
   * Starts generating for {@code request}, writing to {@code out} on the calling context, without
   * blocking it.
   *
   * @return a handle whose {@code run()} stops the generation at once
   */
  Runnable generate(GenerateRequest request, TokenSink out);
}
