package dev.streamhub.bench.load;

import java.net.URI;

/** Where the hub listens. Loopback only: the benchmark never loads a remote host by accident. */
public record Target(String host, int port) {

  public Target {
    if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1") && !host.equals("[::1]")) {
      throw new IllegalArgumentException("the load generator only targets loopback (127.0.0.1), not " + host);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad port " + port);
    }
  }

  public static Target parse(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("--url must be http://127.0.0.1:PORT, got " + url);
    }
    return new Target(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
  }

  public String url() {
    return "http://" + host + ":" + port;
  }
}
