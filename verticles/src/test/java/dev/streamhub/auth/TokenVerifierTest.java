package dev.streamhub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.streamhub.config.HubConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import dev.streamhub.stream.Principal;
import dev.streamhub.stream.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The verifier with the key sources the HTTP tests do not use: an ES256 PEM key and a JWKS file; {@code exp} made optional. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenVerifierTest {

  @TempDir
  Path tmp;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static String failure(Future<Principal> verified) {
    Throwable err = verified.transform(ar -> Future.succeededFuture(ar.cause())).await();
    HubException hub = assertInstanceOf(HubException.class, err);
    assertEquals(ErrorCode.UNAUTHORIZED, hub.code());
    return hub.getMessage();
  }

  @Test
  void es256PemKeyAndAJwksFile() throws Exception {
    KeyPair ec = Jwts.ec();
    KeyPair rsa = Jwts.rsa();
    Path jwks = tmp.resolve("jwks.json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray().add(Jwts.jwk((RSAPublicKey) rsa.getPublic(), "file-key"))).encode());
    TokenVerifier verifier = new TokenVerifier(vertx, HubConfig.of(new JsonObject()
        .put("auth_public_keys", new JsonArray().add(new JsonObject().put("alg", "ES256").put("pem", Jwts.pem(ec.getPublic()))))
        .put("auth_jwks_file", jwks.toString())).auth());

    Principal fromEc = verifier.verify(Jwts.es256(Jwts.claims("edge-client", "read publish", 60, null), ec.getPrivate())).await();
    assertEquals(new Principal("edge-client", EnumSet.of(Scope.READ, Scope.PUBLISH), fromEc.expiresAtMs()), fromEc);
    Principal fromFile = verifier.verify(Jwts.rs256(Jwts.claims("file-user", "read", 60, null), rsa.getPrivate(), "file-key")).await();
    assertEquals("file-user", fromFile.subject());

    assertEquals("token key id unknown",
        failure(verifier.verify(Jwts.rs256(Jwts.claims("file-user", "read", 60, null), rsa.getPrivate(), "other-key"))));
    assertEquals("token algorithm not accepted", failure(verifier.verify(Jwts.hs256(Jwts.claims("x", "admin", 60, null)))),
        "no HS256 key: HS256 is not among the accepted algorithms");
  }

  @Test
  void expMayBeMadeOptional() {
    TokenVerifier verifier = new TokenVerifier(vertx, HubConfig.of(new JsonObject()
        .put("auth_hs256_secret", Jwts.SECRET).put("auth_require_exp", false)).auth());
    JsonObject claims = Jwts.claims("service", "read", 60, null);
    claims.remove("exp");
    Principal principal = verifier.verify(Jwts.hs256(claims)).await();
    assertEquals(0, principal.expiresAtMs());
    JsonObject noSub = Jwts.claims("x", "read", 60, null);
    noSub.remove("sub");
    assertEquals("token has no sub", failure(verifier.verify(Jwts.hs256(noSub))));
  }
}
