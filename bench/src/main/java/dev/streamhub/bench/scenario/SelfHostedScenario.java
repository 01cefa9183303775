package dev.streamhub.bench.scenario;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A scenario that starts its own hub processes (several nodes, or a hub behind a fake upstream
 * that must exist first) and its own load generator, instead of the one hub {@code BenchMain}
 * starts. Its measured fields carry a {@code hub} object describing what it started.
 */
public interface SelfHostedScenario extends Scenario {

  /** What the command line said about hubs and the load generator. */
  record Launch(Path root, Path hubJar, List<String> jvmOptions, Map<String, String> extraEnv, String instances, Path logDir,
      int threads, long waitIdleS, int idleBelowPct, String transport) {

    /** The scenario's settings, then {@code --hub-instances}, then {@code --hub-env} (the last wins). */
    public Map<String, String> settings(Map<String, String> scenario) {
      Map<String, String> all = new java.util.LinkedHashMap<>(scenario);
      if (instances != null) {
        all.put("HTTP_INSTANCES", instances);
      }
      all.putAll(extraEnv);
      return all;
    }
  }

  JsonObject run(Launch launch) throws Exception;

  @Override
  default Map<String, String> hubSettings() {
    return Map.of();
  }

  @Override
  default JsonObject run(ScenarioRun run) {
    throw new UnsupportedOperationException(name() + " starts its own hubs; it cannot run against --url");
  }
}
