package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.InternalPartition;
import dev.streamhub.config.ClusterConfig;
import dev.streamhub.config.StreamLogConfig;
import dev.streamhub.stream.Event;
import dev.streamhub.stream.NewEvent;
import dev.streamhub.stream.StreamMeta;
import dev.streamhub.streamlog.StreamLog;
import dev.streamhub.streamlog.hazelcast.HazelcastStreamLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-link partition of {@code PartitionIT} on the stream log alone, three real Hazelcast
 * members in this JVM ({@code cluster_quorum} 2, the shipped loopback config with fixed ports per
 * member): the link between the master (member 0) and member 1 is cut with {@code iptables}
 * ({@link LoopbackPartition#cutLink}), and writers on member 1 (the cut-off end, which still hears
 * member 2 and so still has the quorum) and on member 0 (the master, as the {@code worker_lost}
 * watchdog does) append to the same streams, one stream per partition layout, until the master
 * removed member 1 and a while after. Then the link heals and the cluster merges.
 *
 * <p>What must hold: every append any member acknowledged is in the final log at the offset it was
 * acknowledged at (an acknowledged append lost when the master removed member 1 is exactly the fork
 * {@code PartitionIT} found: the majority writes another event at that offset).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OneLinkAppendIT {

  static final int MEMBERS = 3;
  static final int STREAMS = 30;
  /** How long the writers go on after the cut: past the master's removal of member 1 (5-9 s). */
  static final long WRITE_MS = 18_000;

  private final HazelcastInstance[] members = new HazelcastInstance[MEMBERS];
  private Vertx vertx;

  @AfterEach
  void stop() {
    for (HazelcastInstance member : members) {
      if (member != null && member.getLifecycleService().isRunning()) {
        member.getLifecycleService().terminate();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** One acknowledged append: who wrote it, where it landed, and what the writer's member saw then. */
  record Acked(String stream, long offset, String text, String seen) {}

  @Test
  void noAppendAcknowledgedOnTheEndCutFromTheMasterIsLost() throws Exception {
    try (LoopbackPartition partition = LoopbackPartition.open(MEMBERS)) {
      String cluster = "streamhub-onelink-it-" + UUID.randomUUID();
      for (int i = 0; i < MEMBERS; i++) {
        members[i] = Hazelcast.newHazelcastInstance(HazelcastSetup.hazelcastConfig(new ClusterConfig(memberConfig(partition, i).toString(),
            cluster, "127.0.0.1", EnumSet.allOf(ClusterConfig.Role.class), false, 2, 0)));
      }
      awaitMembers(MEMBERS, 0, 1, 2);
      vertx = Vertx.vertx();
      String map = HazelcastStreamLog.MAP + ".onelink";
      StreamLog[] logs = new StreamLog[MEMBERS];
      for (int i = 0; i < MEMBERS; i++) {
        logs[i] = HazelcastStreamLog.create(vertx, members[i], StreamLogConfig.defaults(), map).await();
      }
      List<String> streams = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        String stream = "st_onelink" + s + "_" + UUID.randomUUID().toString().substring(0, 6);
        logs[2].create(StreamMeta.fresh(stream, "alice", "demo", System.currentTimeMillis())).await();
        streams.add(stream);
      }
      poll("cluster safe", 60, () -> members[0].getPartitionService().isClusterSafe());
      Map<String, String> layouts = new TreeMap<>();
      for (String stream : streams) {
        layouts.put(stream, layouts(stream));
      }
      System.out.println("[onelink-it] layouts " + layouts);

      List<Acked> acked = Collections.synchronizedList(new ArrayList<>());
      Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
      partition.cutLink(0, 1);
      long cut = System.nanoTime();
      long until = cut + WRITE_MS * 1_000_000;
      List<Future<Void>> writers = new ArrayList<>();
      for (int w : new int[] {0, 1}) {
        for (String stream : streams) {
          Context context = vertx.getOrCreateContext();
          Promise<Void> done = Promise.promise();
          context.runOnContext(v -> write(logs[w], members[w], w, stream, 0, until, acked, failures, cut).onComplete(done));
          writers.add(done.future());
        }
      }
      Future.all(writers).timeout(WRITE_MS + 60_000, TimeUnit.MILLISECONDS).await();
      String removedAt = members[0].getCluster().getMembers().size() == MEMBERS - 1 ? "member 1 removed" : "member 1 NOT removed";
      partition.heal();
      awaitMembers(MEMBERS, 0, 1, 2);
      poll("cluster safe after heal", 90, () -> members[0].getPartitionService().isClusterSafe());

      List<String> lost = new ArrayList<>();
      int ackedOn1 = 0;
      for (Acked a : acked) {
        ackedOn1 += a.text().startsWith("w1-") ? 1 : 0;
      }
      for (String stream : streams) {
        List<Event> finalLog = logs[0].read(stream, 0, 10_000).await().events();
        Map<Long, String> byOffset = new TreeMap<>();
        finalLog.forEach(e -> byOffset.put(e.offset(), e.data().getString("text")));
        synchronized (acked) {
          for (Acked a : acked) {
            if (a.stream().equals(stream) && !a.text().equals(byOffset.get(a.offset()))) {
              lost.add(a + " but the final log holds " + byOffset.get(a.offset()) + " there; layout before the cut " + layouts.get(stream));
            }
          }
        }
      }
      System.out.println("[onelink-it] " + removedAt + " when the writers stopped; acknowledged " + acked.size() + " appends ("
          + ackedOn1 + " on member 1); failures " + failures);
      assertTrue(ackedOn1 > 0, "member 1 acknowledged nothing: the test exercised nothing on the cut-off end");
      assertEquals(List.of(), lost, "acknowledged appends not in the final log at their offset");
    }
  }

  /** Appends "w{w}-n" to {@code stream} one after another until {@code until}, on the caller's event loop. */
  private Future<Void> write(StreamLog log, HazelcastInstance member, int w, String stream, int n, long until, List<Acked> acked,
      Map<String, AtomicInteger> failures, long cut) {
    if (System.nanoTime() >= until) {
      return Future.succeededFuture();
    }
    String text = "w" + w + "-" + n;
    return log.append(stream, List.of(NewEvent.delta(text)))
        .map(stored -> {
          acked.add(new Acked(stream, stored.get(0).offset(), text, "at " + (System.nanoTime() - cut) / 1_000_000 + " ms member " + w
              + " saw " + member.getCluster().getMembers().size() + " members, layouts " + layouts(stream)));
          return (Void) null;
        })
        .recover(err -> {
          failures.computeIfAbsent("w" + w + " " + err.getMessage().replaceAll("'[^']*'", "'…'"), k -> new AtomicInteger()).incrementAndGet();
          return Future.succeededFuture();
        })
        .compose(v -> vertx.timer(100))
        .compose(v -> write(log, member, w, stream, n + 1, until, acked, failures, cut));
  }

  /** The stream's partition replicas in each member's table. */
  private String layouts(String stream) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < MEMBERS; i++) {
      text.append(" m").append(i).append(":").append(layout(members[i], stream));
    }
    return text.toString();
  }

  /** The stream's partition replicas in {@code member}'s table, as member indexes (owner first; ? for an unknown one). */
  private String layout(HazelcastInstance member, String stream) {
    int partitionId = member.getPartitionService().getPartition(stream).getPartitionId();
    InternalPartition partition = ((HazelcastInstanceProxy) member).getOriginal().node.getPartitionService().getPartition(partitionId);
    StringBuilder text = new StringBuilder();
    for (int r = 0; r < 2; r++) {
      var replica = partition.getReplica(r);
      String index = "-";
      if (replica != null) {
        index = "?";
        for (int i = 0; i < MEMBERS; i++) {
          if (members[i] != null && replica.uuid().equals(members[i].getLocalEndpoint().getUuid())) {
            index = Integer.toString(i);
          }
        }
      }
      text.append(r == 0 ? "" : "/").append(index);
    }
    return text.toString();
  }

  private void awaitMembers(int count, int... which) throws InterruptedException {
    for (int i : which) {
      poll("member " + i + " sees " + count + " members", 90, () -> members[i].getCluster().getMembers().size() == count);
    }
  }

  private static void poll(String what, int seconds, java.util.function.BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + seconds + " s");
      }
      Thread.sleep(200);
    }
  }

  /** The shipped loopback config with a {@code <network>} of fixed ports for member {@code i} (as {@code PartitionIT}). */
  private static Path memberConfig(LoopbackPartition partition, int i) throws Exception {
    String shipped = Files.readString(NodeProcess.LOOPBACK_CONFIG);
    StringBuilder list = new StringBuilder();
    for (int m = 0; m < MEMBERS; m++) {
      list.append("          <member>127.0.0.1:").append(partition.memberPort(m)).append("</member>\n");
    }
    String network = "<network>\n"
        + "    <port auto-increment=\"false\">" + partition.memberPort(i) + "</port>\n"
        + "    <outbound-ports><ports>" + partition.outboundFrom(i) + "-" + partition.outboundTo(i) + "</ports></outbound-ports>\n"
        + "    <join>\n"
        + "      <multicast enabled=\"false\"/>\n"
        + "      <tcp-ip enabled=\"true\" connection-timeout-seconds=\"1\">\n"
        + "        <member-list>\n" + list + "        </member-list>\n"
        + "      </tcp-ip>\n"
        + "    </join>\n"
        + "    <interfaces enabled=\"true\"><interface>127.0.0.1</interface></interfaces>\n"
        + "  </network>";
    String config = shipped.replaceFirst("(?s)<network>.*</network>", java.util.regex.Matcher.quoteReplacement(network));
    Path dir = Files.createDirectories(Path.of("target", "onelink-it"));
    Path file = dir.resolve("member-" + i + ".xml").toAbsolutePath();
    Files.writeString(file, config);
    return file;
  }
}
