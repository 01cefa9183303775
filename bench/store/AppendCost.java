import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.hazelcast.HazelcastStreamLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The Hazelcast store's append cost, measured on the store alone: two real members in this JVM
 * (loopback TCP, the log map with one synchronous backup, as the shipped configs), W writers each
 * appending one delta at a time to its own stream (the next append once the last is acknowledged),
 * N appends in all per round. Prints, per round, appends/s, the JVM's CPU time per append (both
 * members and the caller: everything an append costs on the cluster) and latency percentiles.
 *
 * <p>Runs against any built hub jar, so a change can be measured against the jar before it:
 * <pre>
 *   flock /work/wt/bench.lock java -cp verticles/target/streamhub.jar bench/store/AppendCost.java [appends] [writers] [rounds]
 * </pre>
 * (cluster-config/README.md, "The cost of the replica check").
 */
public class AppendCost {

  public static void main(String[] args) throws Exception {
    int appends = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
    int writers = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    String cluster = "streamhub-append-cost-" + UUID.randomUUID();
    int[] ports = {freePort(), freePort()};
    HazelcastInstance a = Hazelcast.newHazelcastInstance(config(cluster, ports, 0));
    HazelcastInstance b = Hazelcast.newHazelcastInstance(config(cluster, ports, 1));
    Vertx vertx = Vertx.vertx();
    try {
      StreamLog log = HazelcastStreamLog.create(vertx, a, StreamLogConfig.defaults(), HazelcastStreamLog.MAP + ".cost").await();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      for (int round = 0; round <= rounds; round++) {
        long[] latencies = new long[appends];
        int[] next = {0};
        List<Future<Void>> done = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          String id = "st_cost_" + round + "_" + w + "_" + UUID.randomUUID();
          log.create(StreamMeta.fresh(id, "bench", "demo", System.currentTimeMillis())).await();
          streams.add(id);
        }
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
          Promise<Void> finished = Promise.promise();
          done.add(finished.future());
          String stream = streams.get(w);
          vertx.runOnContext(v -> writer(log, stream, appends, next, latencies, finished));
        }
        Future.all(done).await();
        long wallNs = System.nanoTime() - t0;
        long cpuNs = os.getProcessCpuTime() - cpu0;
        Arrays.sort(latencies);
        System.out.printf("%s round %d: %d appends by %d writers in %.2f s = %.0f appends/s, CPU %.1f us/append,"
                + " latency p50 %.0f us, p99 %.0f us, load %.2f%n",
            round == 0 ? "warm-up" : "measured", round, appends, writers, wallNs / 1e9, appends / (wallNs / 1e9),
            cpuNs / 1e3 / appends, latencies[appends / 2] / 1e3, latencies[(int) (appends * 0.99)] / 1e3,
            os.getSystemLoadAverage());
      }
    } finally {
      vertx.close().await();
      b.shutdown();
      a.shutdown();
    }
  }

  /** Appends to {@code stream} one delta at a time while appends are left. */
  private static void writer(StreamLog log, String stream, int appends, int[] next, long[] latencies, Promise<Void> finished) {
    if (next[0] >= appends) {
      finished.complete();
      return;
    }
    int slot = next[0]++;
    long start = System.nanoTime();
    log.append(stream, List.of(NewEvent.delta("token " + slot + " "))).onComplete(ar -> {
      if (ar.failed()) {
        finished.fail(ar.cause());
        return;
      }
      latencies[slot] = System.nanoTime() - start;
      writer(log, stream, appends, next, latencies, finished);
    });
  }

  private static Config config(String cluster, int[] ports, int i) {
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.logging.type", "none");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig().setPort(ports[i]).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + ports[0]).addMember("127.0.0.1:" + ports[1]);
    config.addMapConfig(new MapConfig(HazelcastStreamLog.MAP + "*").setBackupCount(1).setAsyncBackupCount(0)
        .setInMemoryFormat(InMemoryFormat.OBJECT));
    return config;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
