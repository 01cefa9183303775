package dev.streamhub.bench;

import dev.streamhub.bench.hub.ChildHub;
import dev.streamhub.bench.hub.ExternalHub;
import dev.streamhub.bench.hub.Hub;
import dev.streamhub.bench.hub.NchanServer;
import dev.streamhub.bench.hub.ResumableStreamServer;
import dev.streamhub.bench.load.ResumableStreamRelay;
import dev.streamhub.bench.load.NchanRelay;
import dev.streamhub.bench.load.Relay;
import dev.streamhub.bench.load.ClientFleet;
import dev.streamhub.bench.load.Target;
import dev.streamhub.bench.load.Transport;
import dev.streamhub.bench.measure.ProcStats;
import dev.streamhub.bench.measure.ResourceSampler;
import dev.streamhub.bench.report.PeerComparison;
import dev.streamhub.bench.report.ResultsFile;
import dev.streamhub.bench.report.Table;
import dev.streamhub.bench.report.VariantComparison;
import dev.streamhub.bench.load.Credentials;
import dev.streamhub.bench.variant.HubVariant;
import dev.streamhub.bench.scenario.Scenario;
import dev.streamhub.bench.scenario.ScenarioRun;
import dev.streamhub.bench.scenario.SelfHostedScenario;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar streamhub-bench.jar <scenario> [options]}: runs a scenario against a hub it
 * starts as a child process (or one given by {@code --url}), prints a table and writes
 * {@code bench/results/latest.json}.
 */
public final class BenchMain {

  static final String USAGE = String.join("\n",
      "usage: java -jar bench/target/streamhub-bench.jar <scenario> [options]",
      "",
      "scenarios: " + String.join(", ", Scenario.NAMES) + ", all (in that order)",
      "  many-streams      --streams 1000 --tokens 200 --rate 50 [--ttft-ms hub default] [--create-concurrency 64] [--rounds 2]",
      "                    [--publisher demo|http] [--publish-connections 256]: http is relay mode, the benchmark",
      "                    creates external streams and POSTs each token with its send time (end-to-end latency)",
      "  resume-replay     --tokens 10000 --runs 20 --warmup 10",
      "  fan-out           --clients 1000 --tokens 200 --rate 50 --ttft-ms 3000 [--rounds 2]",
      "  idle-connections  --clients 10000 [--settle-ms 3000] (hub RSS and live heap by class per connection)",
      "  max-throughput    --streams 100 --tokens 20000 --rate 5000 --ttft-ms 1000 [--rounds 2]",
      "  ttft-overhead     --runs 2000 --warmup 500 --tokens 20   (fake upstream in this JVM; direct vs through a hub)",
      "  cluster           --streams 500 --tokens 200 --rate 50 [--rounds 2] [--variants single,single-clustered,cluster]",
      "                    [--light-streams 50] [--coalesce 1,4,16|none --coalesce-publishers 50 --coalesce-ms 4000]",
      "                    (two nodes: worker + edge on a port below 32768, against one `all` node, same load;",
      "                    the coalesce probe publishes k deltas per append through the relay API on each variant)",
      "  rolling-drain     --edges 3 --streams 150 --tokens 600 --rate 10 [--drain-timeout-ms 30000] [--settle-ms 2000]",
      "                    [--readers sse,ws,poll] (E edge nodes + one worker node; SIGTERM each edge in turn while readers read,",
      "                    restart it; readers spread over the transports of --readers resume on the next edge from their next offset:",
      "                    exactly-once check, longest pause (per reader p50/p99/max), reconnect times, node CPU after each SIGTERM)",
      "  (--rounds N: N-1 warm-up rounds of the same load on the same hub, then the reported one)",
      "",
      "hub: started as a child JVM on a free loopback port unless --url is given",
      "  --url http://127.0.0.1:PORT   use a running hub (configure its STREAMHUB_DEMO_* as the scenario prints)",
      "  --hub-pid PID                 its pid, for RSS and CPU (found from the port when omitted)",
      "  --hub-jar PATH                default verticles/target/streamhub.jar",
      "  --hub-jvm-opts '...'          replace the JVM options of the launcher bin/streamhub, through which the hub is",
      "                                started (default: the launcher's own, `bin/streamhub --jvm-options`)",
      "  --hub-instances N             STREAMHUB_HTTP_INSTANCES (hub default: number of cores)",
      "  --hub-env KEY=VALUE           any other STREAMHUB_KEY for the child hub (repeatable)",
      "  --hub-jfr                     record a JFR profile of the hub to bench/results/<scenario>-hub.jfr",
      "load generator:",
      "  --transport sse|ws|poll       how readers read (default sse): native SSE, one WebSocket per reader",
      "                                (stream.subscribe), or long-poll (timeout 25 s, again from next)",
      "  --threads N                   event loops of the load generator (default: number of cores)",
      "  --timeout-s N                 stop readers still open after N seconds",
      "peer (relay mode only: many-streams or fan-out with --publisher http, SSE readers):",
      "  --peer nchan                  after StreamHub, run the same scenario with the same load generator against Nchan",
      "                                (nginx + libnginx-mod-nchan, bench/nchan/nginx.conf.template; apt-get installs them",
      "                                when missing, as root) and print the ratios StreamHub/Nchan; one record per target",
      "  --peer resumable-stream       the same against npm resumable-stream 2.x on redis-server behind node:http",
      "                                (bench/resumable-stream/server.mjs; npm ci installs it when node_modules is missing)",
      "  --peer nchan,resumable-stream both, one after the other, after StreamHub",
      "  --peer-workers N              nginx worker_processes (default: number of cores, the hub's core budget)",
      "hub variants (one record each, same load, same run; the table compares them; not with --url):",
      "  --store memory,redis          the stream log in memory, or in a redis-server the benchmark starts (Debian's",
      "                                redis-server, free loopback port, --save '' --appendonly no, stopped at the end;",
      "                                STREAMHUB_STORE=redis://127.0.0.1:PORT); adds Redis's CPU and CPU per token (issue 14)",
      "  --auth off,on                 on: STREAMHUB_AUTH_HS256_SECRET (random) and every limit set high (evaluated, never",
      "                                refusing); the benchmark signs an HS256 JWT (scope 'read create publish') and sends",
      "                                it as Authorization: Bearer on every request, SSE/poll reader and WebSocket (issue 13)",
      "                                (both given: every store x auth pair)",
      "  --wait-idle-s N               on a shared machine, wait up to N s (default 120) until other processes",
      "                                use less than --idle-below-pct (default 25) % of one core before each scenario",
      "output:",
      "  --out PATH                    default bench/results/latest.json (records of other scenarios are kept)",
      "  --fresh                       start the results file from an empty list");

  /** The launcher a user runs (README); the benchmark starts its child hubs the same way. */
  static final String LAUNCHER = "bin/streamhub";

  private BenchMain() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (Exception e) {
      System.err.println("bench: failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  static int run(String[] args) throws Exception {
    BenchOptions options = BenchOptions.parse(args);
    if (options.scenario().equals("help") || options.scenario().equals("--help") || options.flag("help")) {
      System.out.println(USAGE);
      return 0;
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (String name : options.scenario().equals("all") ? Scenario.NAMES : List.of(options.scenario())) {
      Scenario scenario = Scenario.named(name);
      scenario.configure(options);
      scenarios.add(scenario);
    }
    Path root = repositoryRoot();
    String url = options.string("url", null);
    long hubPid = options.longValue("hub-pid", -1, -1, Long.MAX_VALUE);
    Path hubJar = Path.of(options.string("hub-jar", root.resolve("verticles/target/streamhub.jar").toString()));
    String replacedJvm = options.string("hub-jvm-opts", null);
    Path launcher = root.resolve(LAUNCHER);
    List<String> jvmOptions = Arrays.asList((replacedJvm != null ? replacedJvm : launcherOptions(launcher)).trim().split("\\s+"));
    String instances = options.string("hub-instances", null);
    Map<String, String> extraEnv = new LinkedHashMap<>();
    for (String kv : options.all("hub-env")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--hub-env takes KEY=VALUE, got '" + kv + "'");
      }
      extraEnv.put(kv.substring(0, eq).replaceFirst("^STREAMHUB_", ""), kv.substring(eq + 1));
    }
    boolean jfr = options.flag("hub-jfr");
    String transport = options.string("transport", "sse");
    if (!Transport.NAMES.contains(transport)) {
      throw new IllegalArgumentException("--transport must be one of " + Transport.NAMES + ", got '" + transport + "'");
    }
    int threads = options.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
    Path out = Path.of(options.string("out", root.resolve("bench/results/latest.json").toString()));
    boolean fresh = options.flag("fresh");
    long waitIdleS = options.longValue("wait-idle-s", 120, 0, 86_400);
    int idleBelowPct = options.integer("idle-below-pct", 25, 1, 10_000);
    String peer = options.string("peer", null);
    int peerWorkers = peer == null ? 0 : options.integer("peer-workers", Runtime.getRuntime().availableProcessors(), 1, 256);
    if (peer != null) {
      PeerComparison.check(peer, transport, scenarios);
    }
    List<HubVariant> hubVariants = HubVariant.parse(options);
    boolean variants = !hubVariants.get(0).plain();
    if (variants && url != null) {
      throw new IllegalArgumentException("--store and --auth start the hub themselves: not with --url");
    }
    if (variants && scenarios.stream().anyMatch(s -> s instanceof SelfHostedScenario)) {
      throw new IllegalArgumentException("--store and --auth are not supported by " + options.scenario() + " (it starts its own hubs)");
    }
    Set<String> unused = options.unused();
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException("option(s) " + unused + " are not used by " + options.scenario());
    }

    String command = command(args);
    List<JsonObject> records = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      checkOpenFiles(scenario.connections());
      if (scenario instanceof SelfHostedScenario self) {
        System.out.println("== " + scenario.name() + (scenario.variant() == null ? "" : " " + scenario.variant()) + " (" + transport + ")");
        if (url != null) {
          throw new IllegalArgumentException(scenario.name() + " starts its own hubs; --url is not supported");
        }
        Instant selfStarted = Instant.now();
        JsonObject measured = self.run(new SelfHostedScenario.Launch(root, hubJar, jvmOptions, extraEnv, instances,
            out.toAbsolutePath().getParent(), threads, waitIdleS, idleBelowPct, transport));
        JsonObject record = record(scenario.name(), scenario.variant(), transport, measured, null, threads, command, selfStarted);
        records.add(record);
        System.out.print(Table.render(List.of(record)));
        System.out.println();
        continue;
      }
      JsonObject ours = null;
      // --peer: the same scenario object and load generator, first against StreamHub, then against the peer.
      // (The loop's body keeps the indentation of the per-scenario code it wraps, to keep merges small.)
      List<JsonObject> variantRecords = new ArrayList<>();
      List<String> targets = new ArrayList<>(List.of("streamhub"));
      if (peer != null) {
        targets.addAll(PeerComparison.parse(peer));
      }
      for (String targetName : targets) {
      // --store / --auth: the hub variants, one after the other (StreamHub only; a peer runs once, plain).
      for (HubVariant hubVariant : targetName.equals("streamhub") ? hubVariants : List.of(new HubVariant(null, null))) {
      try (HubVariant.Started variantRun = hubVariant.start(out.toAbsolutePath().getParent())) {
      boolean isPeer = !targetName.equals("streamhub");
      String recordVariant = joinVariants(scenario.variant(), hubVariant.label());
      System.out.println("== " + scenario.name() + (recordVariant == null ? "" : " " + recordVariant) + " (" + transport + ")"
          + (peer == null ? "" : " against " + targetName));
      if (variantRun.redis() != null) {
        System.out.println("   redis-server started: pid " + variantRun.redisPid() + " on " + variantRun.redis().url());
      }
      Credentials.use(variantRun.jwt());
      Hub hub;
      Relay relay = Relay.STREAMHUB;
      if (isPeer && targetName.equals("resumable-stream")) {
        Path prefix = Files.createTempDirectory("streamhub-bench-resumable-stream");
        hub = ResumableStreamServer.start(root.resolve("bench/resumable-stream"), prefix);
        relay = new ResumableStreamRelay();
        System.out.println("   resumable-stream started: node pid " + hub.pid() + " (and its redis-server) on " + hub.target().url()
            + " (logs in " + prefix + ")");
      } else if (isPeer) {
        Path prefix = Files.createTempDirectory("streamhub-bench-nchan");
        hub = NchanServer.start(root.resolve("bench/nchan/nginx.conf.template"), peerWorkers, prefix);
        relay = new NchanRelay();
        System.out.println("   nchan started: nginx pid " + hub.pid() + " on " + hub.target().url() + " with worker_processes "
            + peerWorkers + " (config and logs in " + prefix + ")");
      } else if (url != null) {
        Target target = Target.parse(url);
        long pid = hubPid >= 0 ? hubPid : ProcStats.listenerOf(target.port()).orElse(-1);
        System.out.println("   hub at " + target.url() + (pid < 0 ? " (pid unknown: no hub RSS/CPU)" : " pid " + pid)
            + "; this scenario expects it to run with " + env(scenario.hubSettings()));
        hub = new ExternalHub(target, pid);
      } else {
        Map<String, String> settings = new LinkedHashMap<>(scenario.hubSettings());
        if (instances != null) {
          settings.put("HTTP_INSTANCES", instances);
        }
        settings.putAll(extraEnv);
        settings.putAll(variantRun.settings());
        List<String> jvm = new ArrayList<>();
        if (jfr) {
          Path recording = out.toAbsolutePath().getParent().resolve(scenario.name() + "-hub.jfr");
          jvm.add("-XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true");
          System.out.println("   hub JFR recording: " + recording);
        }
        Path log = out.toAbsolutePath().getParent().resolve("hub-" + scenario.name()
            + (hubVariant.plain() ? "" : "-" + hubVariant.label().replace('=', '-').replace(' ', '-')) + ".log");
        hub = ChildHub.start(launcher, replacedJvm == null ? null : jvmOptions, hubJar, jvm, settings, log);
        System.out.println("   hub started: pid " + hub.pid() + " on " + hub.target().url() + " with " + env(settings) + " (log " + log + ")");
      }
      JsonObject measured;
      Instant started = Instant.now();
      try (Hub h = hub;
           ResourceSampler sampler = new ResourceSampler(h.pid(), 250, isPeer);
           ClientFleet fleet = ClientFleet.start(h.target(), relay, threads, scenario.connections())) {
        sampler.measureStore(variantRun.redisPid());
        Double other = null;
        long waitStart = System.currentTimeMillis();
        if (waitIdleS > 0) {
          other = sampler.awaitQuiet(idleBelowPct, waitIdleS * 1000);
          System.out.println("   other processes' CPU before the run: " + other + " % of one core"
              + (other != null && other >= idleBelowPct ? " (still busy after waiting " + waitIdleS + " s: numbers are contended)" : ""));
        }
        long waited = System.currentTimeMillis() - waitStart;
        measured = scenario.run(new ScenarioRun(h, fleet, sampler, transport));
        measured.put("other_cpu_pct_before_start", other).put("waited_for_quiet_s", Math.round(waited / 100.0) / 10.0);
      }
      if (variants) {
        VariantComparison.perToken(measured);
        measured.put("store", hubVariant.store()).put("auth", hubVariant.auth());
      }
      JsonObject record = record(scenario.name(), recordVariant, transport, measured, hub, threads, command, started);
      if (variants && !isPeer) {
        variantRecords.add(record);
      }
      if (isPeer) {
        record.put("target", targetName);
        PeerComparison.attach(ours, record);
      } else {
        ours = record;
      }
      records.add(record);
      System.out.print(Table.render(List.of(record)));
      System.out.println();
      } finally {
        Credentials.use(null);
      }
      }
      }
      if (variants) {
        VariantComparison.compare(variantRecords);
        System.out.print(VariantComparison.render(variantRecords));
      }
      if (peer != null) {
        System.out.print(PeerComparison.render(ours));
      }
    }
    ResultsFile.merge(out, records, fresh);
    System.out.print(Table.render(records));
    System.out.println("results: " + out);
    return 0;
  }

  private static JsonObject record(String scenario, String variant, String transport, JsonObject measured, Hub hub, int threads,
      String command, Instant started) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("scenario", scenario);
    if (variant != null) {
      fields.put("variant", variant);
    }
    fields.put("transport", measured.getString("transport", transport));
    fields.put("target", "streamhub");
    for (String key : List.of("clients", "streams", "delivered_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms",
        "lost", "duplicates", "out_of_order", "server_rss_mb", "server_cpu_pct", "client_cpu_pct", "target_check")) {
      fields.put(key, measured.getValue(key));
    }
    measured.forEach(e -> fields.putIfAbsent(e.getKey(), e.getValue()));
    fields.put("hub", hub == null ? measured.getValue("hub") : hub.describe());
    fields.put("load_generator", new JsonObject()
        .put("threads", threads)
        .put("jvm_options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
    fields.put("machine", Machine.describe());
    fields.put("command", command);
    fields.put("time", started.truncatedTo(ChronoUnit.SECONDS).toString());
    return new JsonObject(fields);
  }

  /** The scenario's variant ({@code relay}) and the hub variant ({@code store=redis}), joined; null when neither. */
  static String joinVariants(String scenarioVariant, String hubVariant) {
    if (hubVariant == null) {
      return scenarioVariant;
    }
    return scenarioVariant == null ? hubVariant : scenarioVariant + ", " + hubVariant;
  }

  private static String command(String[] args) {
    List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
    return "java " + (jvm.isEmpty() ? "" : String.join(" ", jvm) + " ") + "-jar bench/target/streamhub-bench.jar " + String.join(" ", args);
  }

  private static String env(Map<String, String> settings) {
    StringBuilder s = new StringBuilder();
    settings.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append("STREAMHUB_").append(k).append('=')
        .append(k.equals("AUTH_HS256_SECRET") ? "(secret)" : v));
    return s.length() == 0 ? "(defaults)" : s.toString();
  }

  /** The JVM options {@code bin/streamhub} starts the hub with ({@code bin/streamhub --jvm-options}). */
  static String launcherOptions(Path launcher) throws IOException, InterruptedException {
    if (!Files.isExecutable(launcher)) {
      throw new IOException(launcher + " is missing or not executable: run the benchmark from the repository");
    }
    ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--jvm-options").redirectErrorStream(true);
    builder.environment().remove("STREAMHUB_JVM_OPTS");
    builder.environment().remove("JAVA_OPTS");
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || out.isEmpty()) {
      throw new IOException(launcher + " --jvm-options failed: " + out);
    }
    return out;
  }

  /** The repository root: the working directory, or its parent when run from inside bench/. */
  static Path repositoryRoot() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p = cwd; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bench/pom.xml")) && Files.isDirectory(p.resolve("verticles"))) {
        return p;
      }
    }
    return cwd;
  }

  /** Warns when this process (and the child hub, which inherits the limit) may run out of file descriptors. */
  private static void checkOpenFiles(int connections) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          if (!soft.equals("unlimited") && Long.parseLong(soft) < connections + 200L) {
            System.out.println("   WARNING: ulimit -n is " + soft + " but this run needs about " + (connections + 200)
                + " descriptors in each process; raise it (bench/run.sh does: ulimit -n $(ulimit -Hn))");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: nothing to check
    }
  }
}
