package dev.streamhub.transport.responses;

import dev.streamhub.conversation.ConversationIds;
import dev.streamhub.conversation.Conversations;
import dev.streamhub.session.Owners;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.worker.GenerateRequest;
import dev.streamhub.worker.Generations;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Starts the generation of a {@code POST /v1/responses} in a conversation ({@code conversation/}):
 * a new one, or, with {@code previous_response_id}, the conversation that response's turns went to,
 * continued right after its answer (a branch when that answer was continued already). The model
 * gets the request's instructions first, then the context, then the input. The response's
 * {@link ResponseRecord} is kept under its id before the client is answered, so that the id can be
 * continued at once, on any node.
 *
 * <p>A {@code previous_response_id} that is malformed, unknown, expired, deleted, another
 * principal's, or whose turns the conversation's bounds dropped fails with 400
 * {@code previous_response_not_found} ("Previous response with id '...' not found.", as OpenAI).
 */
final class ResponseStarts {

  private final Generations generations;

  ResponseStarts(Generations generations) {
    this.generations = generations;
  }

  /** The started stream; fails as {@code Generations#start} and {@code Conversations} do, or as above. */
  Future<StreamMeta> start(RoutingContext rc, ResponsesRequest request) {
    GenerateRequest owned = Owners.own(rc, request.generate());
    ResponseRecord record = request.record();
    Conversations conversations = Conversations.of(rc.vertx());
    Function<JsonArray, Future<StreamMeta>> generate = context -> generations.start(owned.withMessages(record.messages(context)));
    String previousId = record.previousResponseId();
    Future<Conversations.Started> started = previousId == null
        ? conversations.start(ConversationIds.NEW, owned.owner(), owned.messages(), generate)
        : previous(conversations, previousId, owned.owner())
            .compose(previous -> conversations.startAfter(previous.conversation(), ResponseState.streamOf(previousId), owned.owner(),
                owned.messages(), generate))
            .recover(err -> Future.failedFuture(err instanceof HubException && ((HubException) err).code() == ErrorCode.CONVERSATION_NOT_FOUND
                ? previousNotFound(previousId)
                : err));
    return started.compose(s -> conversations.remember(ResponseState.responseId(s.meta().id()),
            record.stored(owned.owner(), s.conversation()).toJson())
        .map(s.meta()));
  }

  /** The record of {@code id} if it is {@code owner}'s; {@code previous_response_not_found} otherwise (unknown, expired, another's). */
  private static Future<ResponseRecord> previous(Conversations conversations, String id, String owner) {
    if (!looksLikeResponse(id)) {
      return Future.failedFuture(previousNotFound(id));
    }
    return conversations.recall(id).map(ResponseRecord::fromJson).compose(record -> owner.equals(record.owner()) && record.conversation() != null
        ? Future.succeededFuture(record)
        : Future.failedFuture(previousNotFound(id)));
  }

  private static boolean looksLikeResponse(String id) {
    try {
      ResponseState.streamOf(id);
      return true;
    } catch (HubException e) {
      return false;
    }
  }

  private static HubException previousNotFound(String id) {
    return new HubException(ErrorCode.PREVIOUS_RESPONSE_NOT_FOUND, "Previous response with id '" + id + "' not found.");
  }
}
