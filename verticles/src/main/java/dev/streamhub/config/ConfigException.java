package dev.streamhub.config;

/** A configuration value the hub cannot start with; the message names the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
