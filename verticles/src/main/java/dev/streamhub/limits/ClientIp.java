package dev.streamhub.limits;

import dev.streamhub.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's IP: the TCP peer, unless the peer is a trusted proxy ({@code trusted_proxies}); then
 * the {@code Forwarded} (RFC 7239) or else {@code X-Forwarded-For} chain is read from the right,
 * skipping trusted proxies, and the first address not trusted is the client. A header from an
 * untrusted peer is ignored, so a client cannot pick its own IP.
 */
public final class ClientIp {

  /** Where the resolved IP is kept on a routing context. */
  public static final String KEY = "streamhub.client_ip";

  private final List<Cidr> trusted;

  public ClientIp(List<String> trustedProxies) {
    List<Cidr> cidrs = new ArrayList<>();
    trustedProxies.forEach(proxy -> cidrs.add(Cidr.parse(proxy)));
    this.trusted = List.copyOf(cidrs);
  }

  public String of(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (!isTrusted(peer)) {
      return peer;
    }
    List<String> chain = forwarded(request);
    for (int i = chain.size() - 1; i >= 0; i--) {
      String hop = chain.get(i);
      if (Cidr.literal(hop) == null) {
        return peer; // an obfuscated or malformed hop: trust nothing further left
      }
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return chain.isEmpty() ? peer : chain.get(0);
  }

  private boolean isTrusted(String ip) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /** The addresses of the forwarding chain, client first. */
  static List<String> forwarded(HttpServerRequest request) {
    List<String> chain = new ArrayList<>();
    List<String> forwarded = request.headers().getAll("Forwarded");
    if (!forwarded.isEmpty()) {
      for (String header : forwarded) {
        for (String element : header.split(",")) {
          for (String pair : element.split(";")) {
            String p = pair.trim();
            if (p.regionMatches(true, 0, "for=", 0, 4)) {
              chain.add(stripPort(p.substring(4).replace("\"", "")));
            }
          }
        }
      }
      return chain;
    }
    for (String header : request.headers().getAll("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          chain.add(hop.trim());
        }
      }
    }
    return chain;
  }

  private static String stripPort(String node) {
    if (node.startsWith("[")) {
      int end = node.indexOf(']');
      return end > 0 ? node.substring(1, end) : node;
    }
    int colon = node.indexOf(':');
    return colon > 0 && node.indexOf(':', colon + 1) < 0 ? node.substring(0, colon) : node;
  }
}
