package dev.streamhub.config;

/**
 * Operations: the node's admin endpoints and its log format.
 *
 * @param adminToken {@code admin_token}: the secret of {@code POST /admin/drain} and
 *     {@code POST /admin/undrain} ({@code Authorization: Bearer <token>}), at least 16 characters;
 *     absent, those endpoints do not exist (404). Never logged. (The security issue replaces it
 *     with the admin scope of a JWT.)
 * @param logFormat {@code log_format}: {@code text} (one human-readable line per record) or
 *     {@code json} (one JSON object per line, with the node id on every line)
 */
public record OpsConfig(String adminToken, String logFormat) {

  public static final int MIN_TOKEN_LENGTH = 16;
  public static final String DEFAULT_LOG_FORMAT = "text";

  static OpsConfig from(Settings s) {
    OpsConfig config = new OpsConfig(s.string(ConfigKey.ADMIN_TOKEN), s.oneOf(ConfigKey.LOG_FORMAT, DEFAULT_LOG_FORMAT));
    if (config.adminToken != null && config.adminToken.length() < MIN_TOKEN_LENGTH) {
      throw new ConfigException("invalid " + s.sourceOf("admin_token") + " (admin_token): expected a secret of at least "
          + MIN_TOKEN_LENGTH + " characters");
    }
    return config;
  }

  /** Without the token, so that a config dump or a log line never shows it. */
  @Override
  public String toString() {
    return "OpsConfig[adminToken=" + (adminToken == null ? "none" : "***") + ", logFormat=" + logFormat + "]";
  }
}
