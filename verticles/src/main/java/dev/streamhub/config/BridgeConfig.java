package dev.streamhub.config;

/**
 * The TCP event-bus bridge through which workers in other languages take generation requests and
 * publish events (see {@code workers/README.md}). Off unless {@code bridge_enabled}.
 *
 * @param enabled {@code bridge_enabled}: listen for bridge connections
 * @param host {@code bridge_host}: interface to bind; loopback unless workers run on other hosts
 * @param port {@code bridge_port}: TCP port (a fixed one: the bridge cannot report a port picked for it)
 * @param token {@code bridge_token}: the shared worker secret every inbound frame must carry in
 *     {@code headers.token}; required when enabled, at least 16 characters. Never logged. (The
 *     security issue replaces it with a JWT carrying the worker scope.)
 */
public record BridgeConfig(boolean enabled, String host, int port, String token) {

  public static final boolean DEFAULT_ENABLED = false;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 7001;
  public static final int MIN_TOKEN_LENGTH = 16;

  static BridgeConfig from(Settings s) {
    BridgeConfig config = new BridgeConfig(
        s.bool(ConfigKey.BRIDGE_ENABLED),
        s.string(ConfigKey.BRIDGE_HOST),
        s.integer(ConfigKey.BRIDGE_PORT),
        s.string(ConfigKey.BRIDGE_TOKEN));
    if (config.enabled && (config.token == null || config.token.length() < MIN_TOKEN_LENGTH)) {
      throw new ConfigException("bridge_enabled needs bridge_token (STREAMHUB_BRIDGE_TOKEN), a shared secret of at least "
          + MIN_TOKEN_LENGTH + " characters");
    }
    return config;
  }

  /** Without the token, so that a config dump or a log line never shows it. */
  @Override
  public String toString() {
    return "BridgeConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "***") + "]";
  }
}
