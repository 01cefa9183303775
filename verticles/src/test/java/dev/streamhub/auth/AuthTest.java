package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.config.ConfigException;
import dev.streamhub.config.AuthConfig;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Authentication and authorization against a real hub: HS256 secret, an RS256 PEM key, and a JWKS
 * found through OpenID Connect discovery on a real local HTTP server. Every bad-token case asserts
 * the status and error {@code code}, and that an unrelated stream running alongside ends intact.
 * Everything the hub logs during the class is captured: no token may appear in it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {

  private static final PrintStream REAL_ERR = System.err;
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private Vertx vertx;
  private HttpServer idp;
  private String issuer;
  private KeyPair pemKey;
  private KeyPair jwksKey;
  private Hub hub;
  private HubClient client;
  private Bystander bystander;

  @BeforeAll
  void start() {
    System.setErr(new PrintStream(new TeeStream(logs, REAL_ERR), true));
    vertx = Vertx.vertx();
    pemKey = Jwts.rsa();
    jwksKey = Jwts.rsa();
    idp = await(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/.well-known/openid-configuration")) {
        req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("issuer", issuer).put("jwks_uri", issuer + "/jwks.json").encode());
      } else if (req.path().equals("/jwks.json")) {
        jwksFetches.incrementAndGet();
        req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("keys", new JsonArray().add(Jwts.jwk((RSAPublicKey) jwksKey.getPublic(), "k1"))).encode());
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    issuer = "http://127.0.0.1:" + idp.actualPort();
    hub = await(TestHubs.start(vertx, new JsonObject()
        .put("auth_hs256_secret", Jwts.SECRET)
        .put("auth_public_keys", new JsonArray().add(new JsonObject().put("alg", "RS256").put("pem", Jwts.pem((RSAPublicKey) pemKey.getPublic()))))
        .put("auth_oidc_issuer", issuer)
        .put("auth_audience", new JsonArray().add("streamhub"))
        .put("auth_jwks_cooldown_ms", 0)
        .put("auth_ws_timeout_ms", 300)
        .put("security_allowed_origins", new JsonArray().add("https://app.example"))
        .put("demo_answer_tokens", 40)
        .put("demo_tokens_per_second", 400)));
    client = new HubClient(vertx, hub.port());
  }

  @AfterAll
  void stop() {
    try {
      await(hub.stop());
      await(idp.close());
      await(vertx.close());
    } finally {
      System.setErr(REAL_ERR);
    }
    String logged = logs.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("auth on"), "the start was logged");
    for (String token : tokensSeen) {
      String signature = token.substring(token.lastIndexOf('.') + 1);
      assertFalse(logged.contains(token), "a token was logged");
      assertTrue(signature.length() < 8 || !logged.contains(signature), "a token's signature was logged");
    }
  }

  @BeforeEach
  void startBystander() {
    bystander = Bystander.start(client, token("alice", "read create"));
  }

  @AfterEach
  void checkBystander() {
    bystander.assertIntact();
  }

  // ---- helpers ----

  private String token(String sub, String scope) {
    return seen(Jwts.hs256(Jwts.claims(sub, scope, 300, issuer)));
  }

  private String seen(String token) {
    tokensSeen.add(token);
    return token;
  }

  private HttpResponse<Buffer> get(String path, String token) {
    HttpRequest<Buffer> request = client.web().get(client.port(), "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return await(request.send());
  }

  private HttpResponse<Buffer> create(String token) {
    HttpRequest<Buffer> request = client.web().post(client.port(), "127.0.0.1", "/v1/streams");
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return await(request.sendJsonObject(TestHubs.chat("hello", 1L)));
  }

  static JsonObject expectError(HttpResponse<Buffer> response, int status, String code) {
    String body = response.bodyAsString();
    assertEquals(status, response.statusCode(), body);
    JsonObject error = new JsonObject(body).getJsonObject("error");
    assertEquals(code, error.getString("code"), body);
    return error;
  }

  private void refused(String token, String message) {
    JsonObject error = expectError(get("/v1/models", token), 401, "unauthorized");
    assertEquals(message, error.getString("message"));
    assertFalse(error.encode().contains(token), "the error names no token");
  }

  static <T> T await(Future<T> future) {
    return future.timeout(30, TimeUnit.SECONDS).await();
  }

  // ---- the battery ----

  @Nested
  class BadTokens {

    @Test
    void noTokenIs401WithAChallenge() {
      HttpResponse<Buffer> response = get("/v1/models", null);
      expectError(response, 401, "unauthorized");
      assertTrue(response.getHeader("WWW-Authenticate").startsWith("Bearer"), response.getHeader("WWW-Authenticate"));
    }

    @Test
    void malformedTokenIs401() {
      refused(seen("not-a-jwt"), "token malformed");
      refused(seen("abc.def"), "token malformed");
      refused(seen("!!!.###.$$$"), "token malformed");
    }

    @Test
    void wrongSignatureIs401() {
      String other = seen(Jwts.hs256(Jwts.claims("mallory", "read create admin", 300, issuer),
          "another-secret-of-enough-length-0123456789".getBytes(StandardCharsets.UTF_8)));
      refused(other, "token signature or claims invalid");
      String forged = token("mallory", "read");
      String[] parts = forged.split("\\.");
      String tampered = seen(parts[0] + "." + Jwts.part(Jwts.claims("alice", "read create admin", 300, issuer)) + "." + parts[2]);
      refused(tampered, "token signature or claims invalid");
    }

    @Test
    void algNoneIs401WithTwoOrThreeSegments() {
      JsonObject claims = Jwts.claims("mallory", "read create admin", 300, issuer);
      refused(seen(Jwts.none(claims, false)), "token malformed");
      refused(seen(Jwts.none(claims, true)), "token algorithm not accepted");
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIs401() {
      byte[] publicPem = Jwts.pem((RSAPublicKey) pemKey.getPublic()).getBytes(StandardCharsets.UTF_8);
      refused(seen(Jwts.hs256(Jwts.claims("mallory", "admin", 300, issuer), publicPem)), "token signature or claims invalid");
      byte[] der = pemKey.getPublic().getEncoded();
      refused(seen(Jwts.hs256(Jwts.claims("mallory", "admin", 300, issuer), der)), "token signature or claims invalid");
    }

    @Test
    void expiredIs401() {
      refused(seen(Jwts.hs256(Jwts.claims("alice", "read", -60, issuer))), "token expired");
    }

    @Test
    void notYetValidIs401() {
      refused(seen(Jwts.hs256(Jwts.claims("alice", "read", 300, issuer).put("nbf", System.currentTimeMillis() / 1000 + 120))),
          "token not yet valid");
    }

    @Test
    void nbfWithinTheLeewayPasses() {
      String token = seen(Jwts.hs256(Jwts.claims("alice", "read", 300, issuer).put("nbf", System.currentTimeMillis() / 1000 + 2)));
      assertEquals(200, get("/v1/models", token).statusCode());
    }

    @Test
    void wrongAudienceIs401() {
      refused(seen(Jwts.hs256(Jwts.claims("alice", "read", 300, issuer).put("aud", "someone-else"))), "token audience not accepted");
    }

    @Test
    void wrongIssuerIs401() {
      refused(seen(Jwts.hs256(Jwts.claims("alice", "read", 300, "https://evil.example"))), "token issuer not accepted");
    }

    @Test
    void noExpIs401() {
      JsonObject claims = Jwts.claims("alice", "read", 300, issuer);
      claims.remove("exp");
      refused(seen(Jwts.hs256(claims)), "token has no exp");
    }

    @Test
    void unknownKidRefreshesTheJwksOnceThenIs401() {
      String good = seen(Jwts.rs256(Jwts.claims("carol", "read", 300, issuer), jwksKey.getPrivate(), "k1"));
      assertEquals(200, get("/v1/models", good).statusCode(), "a JWKS key signs a valid token");
      int before = jwksFetches.get();
      refused(seen(Jwts.rs256(Jwts.claims("carol", "read", 300, issuer), jwksKey.getPrivate(), "k9")), "token key id unknown");
      assertEquals(before + 1, jwksFetches.get(), "one JWKS refresh for the unknown kid");
    }

    @Test
    void rs256PemKeySignsValidTokens() {
      String token = seen(Jwts.rs256(Jwts.claims("dave", "read", 300, issuer), pemKey.getPrivate(), null));
      assertEquals(200, get("/v1/models", token).statusCode());
    }

    @Test
    void tokenInTheQueryStringOfAPostIsRefused() {
      String token = token("alice", "read create");
      HttpResponse<Buffer> response = await(client.web().post(client.port(), "127.0.0.1", "/v1/streams?access_token=" + token)
          .sendJsonObject(TestHubs.chat("hello", 1L)));
      JsonObject error = expectError(response, 400, "bad_request");
      assertFalse(error.encode().contains(token));
    }

    @Test
    void aScopeTheEndpointDoesNotTakeIs403() {
      expectError(create(token("erin", "read")), 403, "forbidden");
      expectError(get("/v1/cluster", token("erin", "read create publish")), 403, "forbidden");
      assertEquals(200, get("/v1/cluster", token("root", "admin")).statusCode());
    }
  }

  @Nested
  class Ownership {

    @Test
    void anotherPrincipalsStreamIs404LikeARandomId() {
      String mine = create(token("alice", "read create")).bodyAsJsonObject().getString("stream");
      String bob = token("bob", "read create");
      String random = "st_" + "a".repeat(mine.length() - 3);
      for (String suffix : List.of("", "/events", "/poll")) {
        HttpResponse<Buffer> theirs = get("/v1/streams/" + mine + suffix, bob);
        HttpResponse<Buffer> none = get("/v1/streams/" + random + suffix, bob);
        expectError(theirs, 404, "stream_not_found");
        expectError(none, 404, "stream_not_found");
        assertEquals(none.bodyAsString().replace(random, mine), theirs.bodyAsString(), "same body as an id that does not exist: " + suffix);
      }
      HttpResponse<Buffer> cancel = await(client.web().delete(client.port(), "127.0.0.1", "/v1/streams/" + mine)
          .putHeader("Authorization", "Bearer " + bob).send());
      expectError(cancel, 404, "stream_not_found");
      assertEquals(200, get("/v1/streams/" + mine, token("alice", "read")).statusCode(), "the owner reads it");
      assertEquals(200, get("/v1/streams/" + mine, token("root", "admin")).statusCode(), "an admin reads it");
    }

    @Test
    void anotherPrincipalsResponseIs404LikeARandomIdToRetrieveCancelAndDelete() {
      String alice = token("alice", "read create");
      HttpResponse<Buffer> created = await(client.web().post(client.port(), "127.0.0.1", "/v1/responses")
          .putHeader("Authorization", "Bearer " + alice)
          .sendJsonObject(new JsonObject().put("model", "demo").put("input", "hello").put("background", true)));
      assertEquals(200, created.statusCode(), created.bodyAsString());
      String mine = created.bodyAsJsonObject().getString("id");
      String random = "resp_" + "a".repeat(mine.length() - 5);
      String bob = token("bob", "read create");
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE)) {
        String suffix = method == HttpMethod.POST ? "/cancel" : "";
        HttpResponse<Buffer> theirs = await(client.web().request(method, client.port(), "127.0.0.1", "/v1/responses/" + mine + suffix)
            .putHeader("Authorization", "Bearer " + bob).send());
        HttpResponse<Buffer> none = await(client.web().request(method, client.port(), "127.0.0.1", "/v1/responses/" + random + suffix)
            .putHeader("Authorization", "Bearer " + bob).send());
        expectError(theirs, 404, "stream_not_found");
        expectError(none, 404, "stream_not_found");
        String key = mine.substring("resp_".length());
        assertEquals(none.bodyAsString().replace(random.substring("resp_".length()), key), theirs.bodyAsString(),
            "same body as an id that does not exist: " + method);
      }
      HttpResponse<Buffer> done = await(TestHubs.eventually(vertx, 20, 250, () -> responseStatus(mine, alice).map("completed"::equals))
          .compose(ok -> client.web().get(client.port(), "127.0.0.1", "/v1/responses/" + mine).putHeader("Authorization", "Bearer " + alice).send()));
      assertEquals("completed", done.bodyAsJsonObject().getString("status"), "bob's cancel and delete did not stop it");
      HttpResponse<Buffer> byAdmin = await(client.web().post(client.port(), "127.0.0.1", "/v1/responses/" + mine + "/cancel")
          .putHeader("Authorization", "Bearer " + token("root", "admin")).send());
      assertEquals(200, byAdmin.statusCode(), "an admin may cancel it: " + byAdmin.bodyAsString());
      HttpResponse<Buffer> byOwner = await(client.web().delete(client.port(), "127.0.0.1", "/v1/responses/" + mine)
          .putHeader("Authorization", "Bearer " + alice).send());
      assertEquals(200, byOwner.statusCode(), "the owner may delete it: " + byOwner.bodyAsString());
    }

    private Future<String> responseStatus(String id, String token) {
      return client.web().get(client.port(), "127.0.0.1", "/v1/responses/" + id).putHeader("Authorization", "Bearer " + token).send()
          .map(response -> response.bodyAsJsonObject().getString("status"));
    }

    @Test
    void eventSourceMayCarryTheTokenInACookieOrTheQuery() {
      String alice = token("alice", "read create");
      String stream = create(alice).bodyAsJsonObject().getString("stream");
      HubClient.SseResponseText byQuery = await(client.readSse("/v1/streams/" + stream + "/events?access_token=" + alice));
      assertEquals(200, byQuery.status(), byQuery.body());
      MultiMap cookie = MultiMap.caseInsensitiveMultiMap().add("Cookie", "streamhub_token=" + alice);
      HubClient.SseResponseText byCookie = await(client.readSse("/v1/streams/" + stream + "/events", cookie));
      assertEquals(200, byCookie.status(), byCookie.body());
      assertEquals(byQuery.frames().size(), byCookie.frames().size());
      expectError(get("/v1/streams/" + stream + "?access_token=" + alice, null), 400, "bad_request");
    }
  }

  @Nested
  class WebSockets {

    /** Held for the test's length: Vert.x 5 shuts down a client the GC finds unreferenced (vert.x#5839). */
    private final WebSocketClient wsClient = vertx.createWebSocketClient();
    private final Map<WebSocket, Closing> closings = new ConcurrentHashMap<>();

    /**
     * Connects with a collector registered before the handshake, so a message or close the hub sends
     * right after the upgrade (an auth deadline, a token's exp) is seen however late this thread runs.
     */
    private WebSocket connect(String uri, String origin, List<String> protocols) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hub.port()).setURI(uri);
      options.setAllowOriginHeader(false);
      if (origin != null) {
        options.addHeader("Origin", origin);
      }
      if (protocols != null) {
        options.setSubProtocols(protocols);
      }
      ClientWebSocket ws = wsClient.webSocket();
      Closing closing = new Closing(ws);
      WebSocket connected = await(ws.connect(options));
      closings.put(connected, closing);
      return connected;
    }

    /** Text messages and the close of one socket, collected from before its handshake. */
    private final class Closing {
      final List<String> messages = new CopyOnWriteArrayList<>();
      final Promise<Short> code = Promise.promise();

      Closing(ClientWebSocket ws) {
        ws.textMessageHandler(messages::add);
        ws.closeHandler(v -> code.tryComplete(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
      }
    }

    /** The socket's text messages until it closes (from its handshake on); yields them and the close code. */
    private Future<List<String>> closed(WebSocket ws, short[] code) {
      Closing closing = closings.get(ws);
      return closing.code.future().map(status -> {
        code[0] = status;
        return closing.messages;
      });
    }

    @AfterEach
    void closeClient() {
      await(wsClient.close());
    }

    @Test
    void aSocketThatNeverAuthenticatesIsClosed1008() {
      WebSocket ws = connect("/v1/ws", null, null);
      short[] code = new short[1];
      List<String> messages = await(closed(ws, code));
      assertEquals(1008, code[0]);
      assertEquals("unauthorized", new JsonObject(messages.get(0)).getJsonObject("error").getString("code"));
    }

    @Test
    void aBadFirstMessageTokenIsClosed1008() {
      WebSocket ws = connect("/v1/ws", null, null);
      short[] code = new short[1];
      Future<List<String>> end = closed(ws, code);
      String expired = seen(Jwts.hs256(Jwts.claims("alice", "read", -60, issuer)));
      ws.writeTextMessage(new JsonObject().put("type", "auth").put("token", expired).encode());
      List<String> messages = await(end);
      assertEquals(1008, code[0]);
      JsonObject error = new JsonObject(messages.get(0)).getJsonObject("error");
      assertEquals("unauthorized", error.getString("code"));
      assertEquals("token expired", error.getString("message"));
    }

    @Test
    void firstMessageQueryAndSubprotocolTokensAuthenticate() {
      String alice = token("alice", "read create");
      WebSocket first = connect("/v1/ws", null, null);
      List<String> got = new CopyOnWriteArrayList<>();
      first.textMessageHandler(got::add);
      first.writeTextMessage(new JsonObject().put("type", "auth").put("token", alice).encode());
      first.writeTextMessage(new JsonObject().put("type", "ping").put("id", "p1").encode());
      await(TestHubs.eventually(vertx, 20, 200, () -> Future.succeededFuture(got.size() >= 2)));
      assertEquals("authenticated", new JsonObject(got.get(0)).getString("type"));
      assertEquals("pong", new JsonObject(got.get(1)).getString("type"), "a message right after auth is not lost");
      await(first.close());

      WebSocket byQuery = connect("/v1/ws?access_token=" + alice, null, null);
      assertTrue(pong(byQuery));
      WebSocket byProtocol = connect("/v1/ws", null, List.of("streamhub", "bearer." + alice));
      assertEquals("streamhub", byProtocol.subProtocol());
      assertTrue(pong(byProtocol));
    }

    private boolean pong(WebSocket ws) {
      Promise<String> reply = Promise.promise();
      ws.textMessageHandler(reply::tryComplete);
      ws.writeTextMessage(new JsonObject().put("type", "ping").put("id", "x").encode());
      boolean ok = "pong".equals(new JsonObject(await(reply.future())).getString("type"));
      await(ws.close());
      return ok;
    }

    @Test
    void anotherPrincipalsStreamIsNotFoundOverTheSocketToo() {
      String mine = create(token("alice", "read create")).bodyAsJsonObject().getString("stream");
      WebSocket bob = connect("/v1/ws?access_token=" + token("bob", "read"), null, null);
      List<String> got = new CopyOnWriteArrayList<>();
      bob.textMessageHandler(got::add);
      bob.writeTextMessage(new JsonObject().put("type", "stream.subscribe").put("stream", mine).put("from", 0).encode());
      bob.writeTextMessage(new JsonObject().put("type", "response.cancel").put("stream", mine).encode());
      bob.writeTextMessage(new JsonObject().put("type", "response.create").put("request_id", "r1").put("model", "demo")
          .put("messages", TestHubs.chat("x", 1L).getJsonArray("messages")).encode());
      await(TestHubs.eventually(vertx, 20, 200, () -> Future.succeededFuture(got.size() >= 3)));
      List<String> codes = new ArrayList<>();
      got.forEach(m -> codes.add(new JsonObject(m).getJsonObject("error").getString("code")));
      assertEquals(List.of("stream_not_found", "stream_not_found", "forbidden"), codes, got.toString());
      await(bob.close());
    }

    @Test
    void anOriginNotAllowedIsRefusedAtTheHandshake() {
      HttpResponse<Buffer> response = await(client.web().get(client.port(), "127.0.0.1", "/v1/ws")
          .putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade").putHeader("Sec-WebSocket-Version", "13")
          .putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").putHeader("Origin", "https://evil.example")
          .putHeader("Authorization", "Bearer " + token("alice", "read")).send());
      expectError(response, 403, "forbidden");
      WebSocket allowed = connect("/v1/ws?access_token=" + token("alice", "read"), "https://app.example", null);
      assertTrue(pong(allowed));
    }

    @Test
    void aTokenThatExpiresClosesTheSocket1008AtExp() {
      String shortLived = seen(Jwts.hs256(Jwts.claims("alice", "read", 2, issuer)));
      long start = System.currentTimeMillis();
      WebSocket ws = connect("/v1/ws?access_token=" + shortLived, null, null);
      short[] code = new short[1];
      List<String> messages = await(closed(ws, code));
      assertEquals(1008, code[0]);
      JsonObject error = new JsonObject(messages.get(messages.size() - 1)).getJsonObject("error");
      assertEquals("token expired", error.getString("message"));
      assertTrue(System.currentTimeMillis() - start >= 900, "closed at exp, not before");
    }
  }

  @Nested
  class Expiry {

    @Test
    void anSseResponseOpenAtExpIsCutAndResumesWithAFreshToken() {
      HttpClient http = vertx.createHttpClient();
      String owner = token("alice", "read create publish");
      String external = await(client.web().post(client.port(), "127.0.0.1", "/v1/streams").putHeader("Authorization", "Bearer " + owner)
          .sendJsonObject(new JsonObject().put("publisher", "external"))).bodyAsJsonObject().getString("stream");
      String shortLived = seen(Jwts.hs256(Jwts.claims("alice", "read", 2, issuer)));
      Promise<Void> cut = Promise.promise();
      TestHubs.onContext(vertx, () -> http.request(io.vertx.core.http.HttpMethod.GET, hub.port(), "127.0.0.1", "/v1/streams/" + external + "/events?access_token=" + shortLived)
          .compose(req -> req.send())
          .onSuccess(resp -> {
            resp.exceptionHandler(err -> cut.tryComplete());
            resp.endHandler(v -> cut.tryComplete());
          }))
          .onFailure(cut::tryFail);
      await(cut.future());
      HubClient.LiveSse again = await(client.openSse("/v1/streams/" + external + "/events",
          MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token("alice", "read"))));
      assertEquals(200, again.status());
      await(again.disconnect());
      await(http.close());
    }
  }

  @Nested
  class StartUp {

    @Test
    void authOnWithoutAKeyStopsTheStart() {
      ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.of(new JsonObject().put("auth_enabled", true)));
      assertTrue(e.getMessage().contains("no key"), e.getMessage());
      assertTrue(e.getMessage().contains("alg:none"), e.getMessage());
    }

    @Test
    void theSecretAloneTurnsAuthOnAndAShortOneIsRefused() {
      HubConfig config = HubConfig.load(new JsonObject(), java.util.Map.of("STREAMHUB_AUTH_HS256_SECRET", Jwts.SECRET));
      assertTrue(config.auth().enabled());
      assertEquals(java.util.Set.of("HS256"), config.auth().algorithms());
      assertFalse(config.toString().contains(Jwts.SECRET), "the secret never shows in a config dump");
      ConfigException e = assertThrows(ConfigException.class,
          () -> HubConfig.load(new JsonObject(), java.util.Map.of("STREAMHUB_AUTH_HS256_SECRET", "short")));
      assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
      assertFalse(e.getMessage().contains("short'"), e.getMessage());
    }

    @Test
    void theVerifierRefusesToExistWithoutAKey() {
      AuthConfig off = HubConfig.of(new JsonObject()).auth();
      assertThrows(ConfigException.class, () -> new TokenVerifier(vertx, off));
      assertNotNull(off);
    }
  }

  /** Writes to two streams: the captured log and the real stderr. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
