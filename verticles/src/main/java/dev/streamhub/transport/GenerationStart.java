package dev.streamhub.transport;

import dev.streamhub.conversation.Conversations;
import dev.streamhub.session.DisconnectWatch;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * How {@code POST /v1/streams} and {@code POST /v1/chat/completions} start a generation: in the
 * conversation the request names ({@code conversation}: the model gets its context, then the new
 * messages; none: a single turn), then entered for cancel on disconnect when the request asked for
 * it ({@code cancel_on_disconnect}, {@code graceMs} from {@link DisconnectWatch#graceOf}). Fails as
 * {@link Conversations#start} and {@link Generations#start} do. (The Responses API starts its own
 * way, with {@code previous_response_id}: {@code responses/ResponseStarts}.)
 */
public final class GenerationStart {

  private GenerationStart() {
  }

  /** @param owned the request with its owner ({@code Owners.own}) */
  public static Future<Conversations.Started> start(Vertx vertx, Generations generations, DisconnectWatch disconnects,
      GenerateRequest owned, long graceMs) {
    return Conversations.of(vertx).start(owned.conversation(), owned.owner(), owned.messages(),
        context -> generations.start(owned.withMessages(context))
            .compose(meta -> disconnects.optIn(meta.id(), graceMs).map(meta)));
  }
}
