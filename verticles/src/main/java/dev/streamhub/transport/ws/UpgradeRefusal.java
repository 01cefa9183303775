package dev.streamhub.transport.ws;

import dev.streamhub.session.Session;
import dev.streamhub.stream.HubException;
import dev.streamhub.transport.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * A WebSocket endpoint's refusal at admission ({@code /v1/ws}, {@code /v1/realtime}): a browser's
 * WebSocket cannot read the status of a refused upgrade, so a refusal whose {@code ErrorCode} has a
 * close status (1013 for {@code rate_limited}, 1008 for auth, 1012 for {@code store_unavailable} or
 * {@code draining}) upgrades the socket, sends one error message ({@code {"type":"error","error":
 * {...}}}, OpenAI's error shape, which is also the Realtime protocol's {@code error} event) and closes
 * it with that status. Other refusals stay HTTP errors.
 */
public final class UpgradeRefusal {

  private UpgradeRefusal() {}

  /** True when {@code refused} is told over an upgraded socket ({@link #tell}), not as an HTTP error. */
  public static boolean closesSockets(Throwable refused) {
    return refused instanceof HubException && ((HubException) refused).code().wsClose() != null;
  }

  /** Upgrades the refused socket to tell it why; fails with a {@link #told} failure once closed. */
  public static Future<Session> tell(RoutingContext rc, HubException refused) {
    return rc.request().toWebSocket().compose(ws -> {
      ws.writeTextMessage(ErrorResponses.body(refused).put("type", "error").encode());
      return ws.close((short) refused.code().wsClose().code(), refused.code().code());
    }).transform(closed -> Future.failedFuture(new Told(refused)));
  }

  /** Marks {@code refused} as already told to an upgraded socket. */
  public static RuntimeException told(HubException refused) {
    return new Told(refused);
  }

  /** True when {@code err} was already told to the socket: nothing more to answer. */
  public static boolean wasTold(Throwable err) {
    return err instanceof Told;
  }

  private static final class Told extends RuntimeException {
    Told(HubException refused) {
      super(refused.getMessage(), null, false, false);
    }
  }
}
