package dev.streamhub.auth;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made JWTs for tests: signed with the JDK (not the library under test), or deliberately broken. */
public final class Jwts {

  public static final String SECRET = "test-hs256-secret-0123456789abcdef-0123456789";

  private Jwts() {}

  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(RSAPublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The JWK of an RSA public key (RFC 7518 6.3.1). */
  public static JsonObject jwk(RSAPublicKey key, String kid) {
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", b64(unsigned(key.getModulus()))).put("e", b64(unsigned(key.getPublicExponent())));
  }

  /** Claims for {@code sub} with {@code scope}, valid for {@code seconds} from now, with the test issuer and audience. */
  public static JsonObject claims(String sub, String scope, long seconds, String issuer) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("scope", scope).put("iat", now).put("exp", now + seconds)
        .put("iss", issuer).put("aud", "streamhub");
  }

  public static String hs256(JsonObject claims) {
    return hs256(claims, SECRET.getBytes(StandardCharsets.UTF_8));
  }

  public static String hs256(JsonObject claims, byte[] secret) {
    String input = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String rs256(JsonObject claims, PrivateKey key, String kid) {
    JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    String input = part(header) + "." + part(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(java.security.PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** ES256 (RFC 7518 3.4): the JDK's DER signature turned into the 64-byte R || S JWS uses. */
  public static String es256(JsonObject claims, PrivateKey key) {
    String input = part(new JsonObject().put("alg", "ES256").put("typ", "JWT")) + "." + part(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      byte[] der = signature.sign();
      int offset = 3 + (der[1] < 0 ? 1 : 0);
      int rLength = der[offset];
      byte[] r = java.util.Arrays.copyOfRange(der, offset + 1, offset + 1 + rLength);
      int sOffset = offset + 1 + rLength + 1;
      byte[] s = java.util.Arrays.copyOfRange(der, sOffset + 1, sOffset + 1 + der[sOffset]);
      byte[] jose = new byte[64];
      System.arraycopy(r, Math.max(0, r.length - 32), jose, Math.max(0, 32 - r.length), Math.min(32, r.length));
      System.arraycopy(s, Math.max(0, s.length - 32), jose, 32 + Math.max(0, 32 - s.length), Math.min(32, s.length));
      return input + "." + b64(jose);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg: none}): {@code h.p} or {@code h.p.} */
  public static String none(JsonObject claims, boolean trailingDot) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + (trailingDot ? "." : "");
  }

  static String part(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes[0] == 0 && bytes.length > 1) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }
}
