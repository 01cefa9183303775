package dev.streamhub.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is
 * a /32 or /128. Parsing never resolves a host name. In {@code config/} so that a bad one stops the
 * start naming its key ({@code ip_allow}, {@code ip_deny}, {@code trusted_proxies}); {@code limits/}
 * matches addresses with it.
 */
public record Cidr(byte[] network, int prefix) {

  /** The networks of {@code texts}; a bad one is a {@link ConfigException} naming {@code key}. */
  public static List<Cidr> parseAll(List<String> texts, String key) {
    List<Cidr> out = new ArrayList<>();
    for (String text : texts) {
      try {
        out.add(parse(text));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("invalid " + key + ": " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /** The network of {@code text}; {@link IllegalArgumentException} when it is not an address or CIDR. */
  public static Cidr parse(String text) {
    String[] parts = text.trim().split("/", 2);
    byte[] address = literal(parts[0]);
    if (address == null) {
      throw new IllegalArgumentException("not an IP address or CIDR: '" + text + "'");
    }
    int prefix = address.length * 8;
    if (parts.length == 2) {
      try {
        prefix = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'");
      }
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'");
      }
    }
    return new Cidr(address, prefix);
  }

  /** Whether {@code ip} (a literal address) is in this network; false for anything not an address. */
  public boolean contains(String ip) {
    byte[] address = literal(ip);
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  /** The bytes of an IP literal, or null (a host name is never looked up). */
  public static byte[] literal(String ip) {
    if (ip == null) {
      return null;
    }
    String s = ip.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.%\\w]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
