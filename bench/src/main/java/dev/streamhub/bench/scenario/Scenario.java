package dev.streamhub.bench.scenario;

import dev.streamhub.bench.BenchOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** One named benchmark: the hub settings it needs, the load it applies, the record it reports. */
public interface Scenario {

  List<String> NAMES = List.of("many-streams", "resume-replay", "fan-out", "idle-connections", "max-throughput");

  String name();

  /** Reads this scenario's options (with its defaults), failing on bad values before anything starts. */
  void configure(BenchOptions options);

  /** {@code STREAMHUB_*} settings (without the prefix) for a hub the benchmark starts itself. */
  Map<String, String> hubSettings();

  /** A variant of the scenario that gets its own record (relay mode of many-streams), or null. */
  default String variant() {
    return null;
  }

  /** Connections the load generator may hold at once. */
  int connections();

  /**
   * Runs against the hub and returns the record's measured fields (at least {@code clients},
   * {@code streams}, {@code delivered_per_s}, latencies, counts and a {@code target_check}).
   */
  JsonObject run(ScenarioRun run) throws Exception;

  static Scenario named(String name) {
    switch (name) {
      case "many-streams":
        return ManyStreams.manyStreams();
      case "max-throughput":
        return ManyStreams.maxThroughput();
      case "fan-out":
        return new FanOut();
      case "idle-connections":
        return new IdleConnections();
      case "resume-replay":
        return new ResumeReplay();
      case "ttft-overhead":
        return new TtftOverheadScenario();
      case "cluster":
        return new ClusterScenario();
      case "rolling-drain":
        return new RollingDrain();
      default:
        throw new IllegalArgumentException("unknown scenario '" + name + "'; one of " + NAMES + " or all");
    }
  }
}
