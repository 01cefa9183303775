package dev.streamhub.ops;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin endpoints, protected by {@code admin_token} ({@code Authorization: Bearer <token>}):
 * <ul>
 *   <li>{@code POST /admin/drain}: drains this node as SIGTERM does (readiness 503, new requests
 *       {@code 503 draining}, readers told to reconnect elsewhere, generations let finish) but it
 *       keeps running and stays in the cluster. {@code 202 {"node","state":"draining"}}; on a node
 *       already drained or draining, {@code 200} with its state (idempotent).</li>
 *   <li>{@code POST /admin/undrain}: back in service, {@code 200 {"node","state":"up"}}.</li>
 * </ul>
 * A node drained by SIGTERM cannot be undrained: {@code 503 draining}. A missing or wrong token
 * gets {@code 401 unauthorized}. With no {@code admin_token} configured the endpoints are not
 * mounted at all: {@code 404 not_found}. Mounted before the node's {@code draining} refusal, so an
 * admin-drained node still answers them. (The security issue replaces the token with the admin
 * scope of a JWT.)
 */
public final class AdminHandler {

  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private static final String BEARER = "Bearer ";

  private final Vertx vertx;
  private final Drain drain;
  private final byte[] token;
  private final long drainTimeoutMs;

  /** @param token {@code admin_token}, or null: then {@link #mount} mounts nothing */
  public AdminHandler(Vertx vertx, Drain drain, String token, long drainTimeoutMs) {
    this.vertx = vertx;
    this.drain = drain;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.drainTimeoutMs = drainTimeoutMs;
  }

  public void mount(Router router) {
    if (token == null) {
      return;
    }
    router.post("/admin/drain").handler(this::authorized).handler(this::drain);
    router.post("/admin/undrain").handler(this::authorized).handler(this::undrain);
  }

  private void authorized(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] given = header != null && header.startsWith(BEARER)
        ? header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (!MessageDigest.isEqual(token, given)) {
      rc.fail(new HubException(ErrorCode.UNAUTHORIZED, "the admin endpoints need Authorization: Bearer <admin_token>"));
      return;
    }
    rc.next();
  }

  private void drain(RoutingContext rc) {
    Drain.State before = drain.state();
    if (before == Drain.State.STOPPING) {
      rc.fail(new HubException(ErrorCode.DRAINING, "this node is shutting down"));
      return;
    }
    if (before != Drain.State.UP) {
      answer(rc, 200);
      return;
    }
    long started = System.nanoTime();
    LOG.info("admin drain of node {} (drain_timeout_ms={})", node(), drainTimeoutMs);
    drain.pause(vertx, drainTimeoutMs)
        .onSuccess(done -> LOG.info("node {} drained in {} ms; still a cluster member", node(), (System.nanoTime() - started) / 1_000_000))
        .onFailure(err -> LOG.info("admin drain not started: {}", err.getMessage()));
    answer(rc, 202);
  }

  private void undrain(RoutingContext rc) {
    if (drain.state() == Drain.State.STOPPING) {
      rc.fail(new HubException(ErrorCode.DRAINING, "this node is shutting down; it cannot return to service"));
      return;
    }
    if (drain.resume()) {
      LOG.info("node {} back in service (admin undrain)", node());
    }
    answer(rc, 200);
  }

  private void answer(RoutingContext rc, int status) {
    rc.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("node", node()).put("state", drain.state().wire()).encode());
  }

  private String node() {
    return HazelcastSetup.nodeId(vertx);
  }
}
