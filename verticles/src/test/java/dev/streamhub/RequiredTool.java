package dev.streamhub;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when a tool it needs (redis-server, node, nginx, iptables as root) is missing:
 * on CI ({@code CI=true}, set by {@code .ci/run}, which installs every such tool) the test fails;
 * on a developer's machine it is skipped with {@code how} to install the tool, so that the README's
 * {@code mvn -B verify} passes with only a JDK and Maven.
 */
public final class RequiredTool {

  private RequiredTool() {}

  /** True when the {@code CI} environment variable is {@code true}. */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Fails (CI) or skips (elsewhere) the calling test: {@code how} names the tool and how to get it. */
  public static void missing(String how) {
    if (onCi()) {
      throw new AssertionError("CI=true: " + how + " (.ci/run installs it)");
    }
    System.err.println("skipped: " + how);
    Assumptions.abort(how);
  }
}
