package dev.streamhub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.transport.StreamReader;
import dev.streamhub.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real network partitions between three data members, each in its own JVM ({@code roles=all},
 * {@code cluster_quorum=2}), Jepsen-style: generations are started all along on every node, every
 * stream is read by three clients (one starting on each node, each resuming on the next node when
 * its connection ends without the terminal event), and the Hazelcast traffic between the members is
 * cut with {@code iptables} ({@link LoopbackPartition}) in rounds: one member isolated from the two
 * others, a different one each round, held until both sides noticed and a few seconds more, then
 * healed and the cluster left to merge back.
 *
 * <p>What must hold: no stream offset ever holds two different events, across everything every
 * client received and the final log; every client's history is exactly a prefix of the final log
 * (it resumed past every interruption and reached the terminal event); in each round the isolated
 * member refuses a new stream with 503 {@code store_unavailable} while the two others start one that
 * ends {@code done}. The Hazelcast config is the shipped {@code hazelcast-loopback.xml} with only its
 * {@code <network>} replaced (fixed ports per member, so a rule can isolate one).
 *
 * <p>Before those rounds, two one-link (partial) rounds: only the link between two members is cut, each
 * still reaching the third. First the two members that are not the master (node 0, the oldest):
 * only Hazelcast's partial member disconnection resolution (the master collects the members'
 * suspicions and removes one end, {@code hazelcast.partial.member.disconnection.resolution.heartbeat.count})
 * makes the members left fully connected; then a link of the master, whose own failure detector
 * removes the other end. In each, the third member must soon see one member fewer, and a stream
 * started on it must end {@code done}; the same checks on every client and the final log apply. (The
 * master's link is the round that once found an offset holding two events: an append acknowledged on
 * the cut-off end as it dropped the others, {@code OneLinkAppendIT}.)
 *
 * <p>The Vert.x event bus between the nodes is cut too (fixed {@code cluster_eventbus_port} per node,
 * and each node's own connections told apart by a supplementary group, see {@link LoopbackPartition}):
 * a real partition between hosts cuts all traffic, so a live event published on one side reaches no
 * edge on the other.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class PartitionIT {

  static final int MEMBERS = 3;
  static final int ROUNDS = 5;
  /**
   * The one-link rounds: the link cut, as two member indexes. Node 0 is the master then (it started
   * first and the others joined it; a member removed and merged back joins as the youngest).
   */
  static final int[][] ONE_LINK_ROUNDS = {{1, 2}, {0, 1}};
  static final int ANSWER_TOKENS = 60;
  static final long CREATE_EVERY_MS = 1_200;
  /** How long a partition is held after both sides noticed it. */
  static final long HOLD_MS = 3_000;
  /**
   * How long a one-link cut is held after the removal: long enough for the removed member to merge
   * back while the link is still cut (Hazelcast's merge check runs every 5 s) and be removed again.
   */
  static final long ONE_LINK_HOLD_MS = 25_000;
  static final long REPLY_TIMEOUT_S = 40;

  static final Map<String, String> ENV = Map.of(
      "STREAMHUB_CLUSTER_QUORUM", "2",
      "STREAMHUB_DEMO_TTFT_MS", "0",
      "STREAMHUB_DEMO_TOKENS_PER_SECOND", "20",
      "STREAMHUB_DEMO_ANSWER_TOKENS", Integer.toString(ANSWER_TOKENS),
      "STREAMHUB_WORKER_LEASE_MS", "500",
      "STREAMHUB_WORKER_LOST_TIMEOUT_MS", "2000",
      "STREAMHUB_WORKER_ACCEPT_TIMEOUT_MS", "3000",
      "STREAMHUB_SSE_HEARTBEAT_MS", "1000");

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<HubClient> clients = new ArrayList<>();
  private final List<ResumingReader> readers = Collections.synchronizedList(new ArrayList<>());
  /** Streams created, with the node and the round phase they were created in. */
  private final Map<String, String> created = Collections.synchronizedMap(new TreeMap<>());
  private final Map<String, AtomicInteger> refusals = Collections.synchronizedMap(new TreeMap<>());
  private final long started = System.nanoTime();
  /** When each partition was cut and healed, in ms since the test started. */
  private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
  private Vertx vertx;
  private HttpClient http;
  private int[] ports;
  /** Each node's id ({@code GET /v1/cluster}'s {@code node}). */
  private final List<String> nodeIds = new ArrayList<>();
  /** Event-bus packets the partitions' rules dropped, over all rounds. */
  private long eventBusDrops;

  @Test
  void noOffsetEverHoldsTwoEventsWhileTheMajorityKeepsServing() throws Exception {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(200));
    try (LoopbackPartition partition = LoopbackPartition.open(MEMBERS)) {
      try {
        run(partition);
      } finally {
        partition.heal();
        for (ResumingReader reader : readers) {
          reader.stop();
        }
        for (NodeProcess node : nodes) {
          node.kill();
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private void run(LoopbackPartition partition) throws Exception {
    String cluster = "streamhub-partition-it-" + UUID.randomUUID();
    ports = new int[MEMBERS];
    for (int i = 0; i < MEMBERS; i++) {
      Map<String, String> env = new HashMap<>(ENV);
      env.put("STREAMHUB_CLUSTER_CONFIG", memberConfig(partition, i, cluster).toString());
      env.put("STREAMHUB_CLUSTER_EVENTBUS_PORT", Integer.toString(partition.eventBusPort(i)));
      nodes.add(NodeProcess.start("partition-" + i, cluster, "all", env, partition.launcher(i)));
      ports[i] = nodes.get(i).port();
      clients.add(new HubClient(vertx, ports[i]));
      if (i == 0) {
        awaitMembers(0, 1, 90);
      }
    }
    for (int i = 0; i < MEMBERS; i++) {
      awaitMembers(i, MEMBERS, 90);
    }
    for (int i = 0; i < MEMBERS; i++) {
      awaitAccepting(i);
      nodeIds.add(clients.get(i).get("/v1/cluster").timeout(10, TimeUnit.SECONDS).await().bodyAsJsonObject().getString("node"));
    }
    System.out.println("[partition-it] " + partition);

    AtomicInteger turn = new AtomicInteger();
    String[] phase = {"before"};
    long driver = vertx.setPeriodic(CREATE_EVERY_MS, id -> create(turn.getAndIncrement() % MEMBERS, phase[0]));
    List<String> report = new ArrayList<>();
    List<String> majorityStreams = new ArrayList<>();
    try {
      for (int k = 0; k < ONE_LINK_ROUNDS.length; k++) {
        phase[0] = "one-link round " + k + " partitioned";
        majorityStreams.add(oneLinkRound(partition, k, report));
        phase[0] = "one-link round " + k + " healed";
      }
      for (int round = 0; round < ROUNDS; round++) {
        int isolated = round % MEMBERS;
        List<Integer> majority = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
          if (i != isolated) {
            majority.add(i);
          }
        }
        phase[0] = "round " + round + " partitioned";
        long cut = System.nanoTime();
        partition.cut(Set.of(isolated));
        timeline.add("node " + isolated + " cut at " + (cut - started) / 1_000_000);
        for (int i : majority) {
          awaitMembers(i, MEMBERS - 1, 60);
        }
        awaitMembers(isolated, 1, 60);
        long noticedMs = (System.nanoTime() - cut) / 1_000_000;

        // the isolated member refuses to start a stream; the majority starts one that finishes
        HttpResponse<Buffer> refused = clients.get(isolated).postJson("/v1/streams", TestHubs.chat("minority", 1L))
            .timeout(REPLY_TIMEOUT_S, TimeUnit.SECONDS).await();
        assertEquals(503, refused.statusCode(), "round " + round + ", isolated node " + isolated + ": " + refused.bodyAsString());
        assertEquals("store_unavailable", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
        String onMajority = clients.get(majority.get(round % 2)).createStream(TestHubs.chat("majority", (long) round))
            .timeout(REPLY_TIMEOUT_S, TimeUnit.SECONDS).await();
        created.put(onMajority, "node " + majority.get(round % 2) + ", round " + round + " partitioned (checked)");
        majorityStreams.add(onMajority);
        readAll(onMajority);

        vertx.timer(HOLD_MS).await();
        eventBusDrops += partition.droppedEventBusPackets();
        phase[0] = "round " + round + " healing";
        long healed = System.nanoTime();
        partition.heal();
        timeline.add("healed at " + (healed - started) / 1_000_000);
        for (int i = 0; i < MEMBERS; i++) {
          awaitMembers(i, MEMBERS, 90);
        }
        long mergedMs = (System.nanoTime() - healed) / 1_000_000;
        awaitAccepting(isolated);
        long servingMs = (System.nanoTime() - healed) / 1_000_000;
        log("round " + round + ": node " + isolated + " isolated; both sides noticed after " + noticedMs
            + " ms; after heal one cluster again in " + mergedMs + " ms, the isolated node serving in " + servingMs + " ms", report);
        phase[0] = "round " + round + " healed";
      }
    } finally {
      vertx.cancelTimer(driver);
    }

    // every stream ends (the quorum side ends a lost worker's stream), and every reader gets to its end
    Map<String, List<JsonObject>> finalLog = new TreeMap<>();
    List<String> unfinished = new ArrayList<>();
    long readDeadline = System.nanoTime() + 60_000_000_000L;
    for (String stream : new ArrayList<>(created.keySet())) {
      StreamReader reader = Transport.SSE.reader(vertx, ports[0]);
      try {
        long left = Math.max(1_000, (readDeadline - System.nanoTime()) / 1_000_000);
        finalLog.put(stream, reader.readAll(stream, 0).timeout(left, TimeUnit.MILLISECONDS).await());
      } catch (Exception notEnded) {
        unfinished.add(stream + " (" + created.get(stream) + "): " + notEnded + "; meta " + meta(stream));
      } finally {
        reader.close().await();
      }
    }
    assertEquals(List.of(), unfinished, "streams that never ended");
    List<ResumingReader> all = new ArrayList<>(readers);
    Future.all(all.stream().map(r -> r.finished().timeout(60, TimeUnit.SECONDS)).collect(Collectors.toList()))
        .transform(ar -> Future.succeededFuture()).await();

    check(finalLog, all, majorityStreams, report);
    // the live events of one side were published to readers registered on the other: a cut event bus drops them
    assertTrue(eventBusDrops > 0, "the partitions dropped no event-bus packet: the event bus was not cut");
    System.out.println("[partition-it] event-bus packets dropped by the partitions: " + eventBusDrops);
  }

  /**
   * Cuts the link of one-link round {@code k}, waits until the cluster removed one of its ends (the
   * third member sees one member fewer), starts a stream on the third member (the checks require it
   * to end {@code done}), holds the cut {@link #ONE_LINK_HOLD_MS}, heals and waits for one cluster again.
   *
   * @return the stream started on the third member
   */
  private String oneLinkRound(LoopbackPartition partition, int k, List<String> report) throws Exception {
    int a = ONE_LINK_ROUNDS[k][0];
    int b = ONE_LINK_ROUNDS[k][1];
    int third = 3 - a - b;
    long cut = System.nanoTime();
    partition.cutLink(a, b);
    timeline.add("link " + a + "-" + b + " cut at " + (cut - started) / 1_000_000);
    awaitMembers(third, MEMBERS - 1, 60);
    long resolvedMs = (System.nanoTime() - cut) / 1_000_000;
    List<String> left = memberIds(third);
    int removed = left.contains(nodeIds.get(a)) ? b : a;
    assertTrue(left.contains(nodeIds.get(third)) && left.contains(nodeIds.get(a + b - removed)),
        "one-link round " + k + ": node " + third + " sees " + left + ", node ids " + nodeIds);
    // the third member may answer 404 model_not_found or 503 for a moment while the membership flaps
    // (the removed member merging back and being removed again): ask again, bounded, until it starts one
    String[] startedOnThird = new String[1];
    poll("node " + third + " starts a generation during one-link round " + k, 30, () -> clients.get(third)
        .postJson("/v1/streams", TestHubs.chat("one link", (long) k)).timeout(REPLY_TIMEOUT_S, TimeUnit.SECONDS)
        .map(resp -> {
          if (resp.statusCode() == 201) {
            startedOnThird[0] = resp.bodyAsJsonObject().getString("stream");
          }
          return startedOnThird[0] != null;
        }));
    String onThird = startedOnThird[0];
    created.put(onThird, "node " + third + ", one-link round " + k + " partitioned (checked)");
    readAll(onThird);
    int removedSees = memberIds(removed).size();

    // the third member's view while the cut is held: how many members, each time it changed
    List<Integer> views = new ArrayList<>(List.of(MEMBERS - 1));
    long holdEnd = System.nanoTime() + ONE_LINK_HOLD_MS * 1_000_000;
    while (System.nanoTime() < holdEnd) {
      checkAlive();
      int seen = clients.get(third).get("/v1/cluster").timeout(5, TimeUnit.SECONDS)
          .map(resp -> resp.bodyAsJsonObject().getJsonArray("members").size()).otherwise(-1).await();
      if (seen > 0 && seen != views.get(views.size() - 1)) {
        views.add(seen);
      }
      vertx.timer(250).await();
    }
    eventBusDrops += partition.droppedEventBusPackets();
    long healed = System.nanoTime();
    partition.heal();
    timeline.add("healed at " + (healed - started) / 1_000_000);
    for (int i = 0; i < MEMBERS; i++) {
      awaitMembers(i, MEMBERS, 90);
    }
    long mergedMs = (System.nanoTime() - healed) / 1_000_000;
    awaitAccepting(removed);
    long servingMs = (System.nanoTime() - healed) / 1_000_000;
    log("one-link round " + k + ": link " + a + "-" + b + " cut; node " + removed + " removed after " + resolvedMs
        + " ms (it then saw " + removedSees + " members); members node " + third + " saw while the cut was held " + views + "; after heal one cluster again in " + mergedMs
        + " ms, node " + removed + " serving in " + servingMs + " ms", report);
    return onThird;
  }

  /** The member ids node {@code i} lists. */
  private List<String> memberIds(int i) {
    return clients.get(i).get("/v1/cluster").timeout(10, TimeUnit.SECONDS).await().bodyAsJsonObject()
        .getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("node")).collect(Collectors.toList());
  }

  private void check(Map<String, List<JsonObject>> finalLog, List<ResumingReader> all, List<String> majorityStreams, List<String> report) {
    // 1. the final log: contiguous offsets from 0, exactly one terminal event, last
    Map<String, Integer> endings = new TreeMap<>();
    for (Map.Entry<String, List<JsonObject>> e : finalLog.entrySet()) {
      List<JsonObject> events = e.getValue();
      for (int i = 0; i < events.size(); i++) {
        assertEquals(i, events.get(i).getLong("offset"), e.getKey() + ": offsets of the final log");
        boolean terminal = Set.of("done", "error", "cancelled").contains(events.get(i).getString("type"));
        assertEquals(i == events.size() - 1, terminal, e.getKey() + ": one terminal event, last, at " + i);
      }
      JsonObject last = events.get(events.size() - 1);
      String ending = last.getString("type").equals("error") ? "error " + last.getJsonObject("data").getString("code") : last.getString("type");
      endings.merge(ending, 1, Integer::sum);
    }

    // 2. per stream and offset, at most one distinct event across every client and the final log
    Map<String, Map<Long, Set<String>>> seen = new HashMap<>();
    finalLog.forEach((stream, events) -> events.forEach(ev -> seen.computeIfAbsent(stream, s -> new HashMap<>())
        .computeIfAbsent(ev.getLong("offset"), o -> new HashSet<>()).add(content(ev))));
    for (ResumingReader reader : all) {
      for (ResumingReader.Received r : reader.received()) {
        seen.computeIfAbsent(reader.stream(), s -> new HashMap<>()).computeIfAbsent(r.offset(), o -> new HashSet<>()).add(r.content());
      }
    }
    List<String> forks = new ArrayList<>();
    seen.forEach((stream, offsets) -> offsets.forEach((offset, events) -> {
      if (events.size() > 1) {
        forks.add(stream + " (" + created.get(stream) + ") @" + offset + ": " + events + "; seen by " + witnesses(stream, offset, finalLog, all));
      }
    }));
    assertEquals(List.of(), forks, "offsets holding two different events");

    // 3. every client's history is a prefix of the final log and reached its end
    List<String> violations = new ArrayList<>();
    long longestPause = 0;
    Map<String, Integer> interruptions = new TreeMap<>();
    for (ResumingReader reader : all) {
      violations.addAll(reader.violations());
      List<String> history = reader.received().stream().map(r -> r.offset() + " " + r.content()).collect(Collectors.toList());
      List<String> expected = finalLog.get(reader.stream()).stream().map(ev -> ev.getLong("offset") + " " + content(ev)).collect(Collectors.toList());
      assertEquals(expected, history, reader.stream() + ": a client's history is the final log (it resumed to the end)");
      longestPause = Math.max(longestPause, reader.longestPauseMs());
      for (ResumingReader.Interruption i : reader.interruptions()) {
        interruptions.merge(i.reason().replaceAll("[0-9a-f-]{36}|st_[A-Za-z0-9_-]+", "…"), 1, Integer::sum);
      }
    }
    assertEquals(List.of(), violations, "events not at the offset asked for");

    // 4. the majority kept serving: its stream of every round finished
    for (String stream : majorityStreams) {
      List<JsonObject> events = finalLog.get(stream);
      assertEquals("done", events.get(events.size() - 1).getString("type"), stream + " (" + created.get(stream) + ")");
      assertEquals(ANSWER_TOKENS + 2, events.size(), stream + ": the whole answer");
    }

    report.add(created.size() + " streams, " + all.size() + " clients, " + finalLog.values().stream().mapToInt(List::size).sum()
        + " events; endings " + endings);
    report.add("creations refused: " + refusals);
    report.add("appends refused on a worker (stopped generations, from the nodes' logs): " + refusedAppends());
    report.add("client interruptions (each followed by a resume on the next node): " + interruptions);
    report.add("longest pause a client saw between two events: " + longestPause + " ms");
    report.forEach(line -> System.out.println("[partition-it] " + line));
  }

  /** Who saw what at {@code offset} of {@code stream}, and when (ms since the test started), for a failure message. */
  private String witnesses(String stream, long offset, Map<String, List<JsonObject>> finalLog, List<ResumingReader> all) {
    List<String> seenBy = new ArrayList<>();
    finalLog.get(stream).stream().filter(e -> e.getLong("offset") == offset).forEach(e -> seenBy.add("final log: " + content(e)));
    for (ResumingReader reader : all) {
      if (reader.stream().equals(stream)) {
        reader.received().stream().filter(r -> r.offset() == offset).forEach(r -> seenBy.add("client from node " + r.node()
            + " at " + (r.atNanos() - started) / 1_000_000 + " ms: " + r.content()));
      }
    }
    return seenBy + "; rounds " + timeline;
  }

  private static void log(String line, List<String> report) {
    System.out.println("[partition-it] " + line);
    report.add(line);
  }

  /** The stream's meta as each node answers it, for a failure message. */
  private String meta(String stream) {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      int node = i;
      answers.add("node " + i + ": " + clients.get(i).get("/v1/streams/" + stream).timeout(10, TimeUnit.SECONDS)
          .map(resp -> resp.statusCode() + " " + resp.bodyAsString()).otherwise(err -> err.toString()).await());
    }
    return String.join("; ", answers);
  }

  /** Starts a generation on {@code node} and three readers of it, one starting on each node. */
  private void create(int node, String phase) {
    clients.get(node).postJson("/v1/streams", TestHubs.chat("partition " + phase, (long) created.size()))
        .timeout(REPLY_TIMEOUT_S, TimeUnit.SECONDS)
        .onComplete(ar -> {
          if (ar.failed()) {
            refusals.computeIfAbsent("node " + node + ": " + ar.cause().getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
          } else if (ar.result().statusCode() != 201) {
            String code;
            try {
              code = ar.result().bodyAsJsonObject().getJsonObject("error").getString("code");
            } catch (RuntimeException notAnError) {
              code = ar.result().bodyAsString();
            }
            refusals.computeIfAbsent(ar.result().statusCode() + " " + code, k -> new AtomicInteger()).incrementAndGet();
          } else {
            String stream = ar.result().bodyAsJsonObject().getString("stream");
            created.put(stream, "node " + node + ", " + phase);
            readAll(stream);
          }
        });
  }

  private void readAll(String stream) {
    for (int i = 0; i < MEMBERS; i++) {
      ResumingReader reader = new ResumingReader(vertx, http, stream, ports, i);
      readers.add(reader);
      reader.start();
    }
  }

  private long refusedAppends() {
    long count = 0;
    for (NodeProcess node : nodes) {
      try {
        count += Files.readAllLines(Path.of("target", "it-logs", node.name() + ".log")).stream()
            .filter(line -> line.contains("append failed, stopping its generation")).count();
      } catch (Exception unreadable) {
        // reported as missing below
      }
    }
    return count;
  }

  /** The shipped loopback config with a {@code <network>} of fixed ports for member {@code i}. */
  private static Path memberConfig(LoopbackPartition partition, int i, String cluster) throws Exception {
    String shipped = Files.readString(NodeProcess.LOOPBACK_CONFIG);
    StringBuilder members = new StringBuilder();
    for (int m = 0; m < MEMBERS; m++) {
      members.append("          <member>127.0.0.1:").append(partition.memberPort(m)).append("</member>\n");
    }
    String network = "<network>\n"
        + "    <port auto-increment=\"false\">" + partition.memberPort(i) + "</port>\n"
        + "    <outbound-ports><ports>" + partition.outboundFrom(i) + "-" + partition.outboundTo(i) + "</ports></outbound-ports>\n"
        + "    <join>\n"
        + "      <multicast enabled=\"false\"/>\n"
        + "      <tcp-ip enabled=\"true\" connection-timeout-seconds=\"1\">\n"
        + "        <member-list>\n" + members + "        </member-list>\n"
        + "      </tcp-ip>\n"
        + "    </join>\n"
        + "    <interfaces enabled=\"true\"><interface>127.0.0.1</interface></interfaces>\n"
        + "  </network>";
    String config = shipped.replaceFirst("(?s)<network>.*</network>", java.util.regex.Matcher.quoteReplacement(network))
        .replaceFirst("<cluster-name>[^<]*</cluster-name>", "<cluster-name>" + cluster + "</cluster-name>");
    assertTrue(config.contains("<outbound-ports>"), "the shipped config has a <network> section to replace");
    Path dir = Files.createDirectories(Path.of("target", "partition-it"));
    Path file = dir.resolve("member-" + i + ".xml").toAbsolutePath();
    Files.writeString(file, config);
    return file;
  }

  /** Waits until node {@code i} sees {@code count} members. */
  private void awaitMembers(int i, int count, int seconds) {
    poll("node " + i + " sees " + count + " members", seconds, () -> clients.get(i).get("/v1/cluster").timeout(5, TimeUnit.SECONDS)
        .map(resp -> resp.statusCode() == 200 && resp.bodyAsJsonObject().getJsonArray("members").size() == count));
  }

  /** Waits until node {@code i} starts a generation (a worker took it and the log took the stream). */
  private void awaitAccepting(int i) {
    poll("node " + i + " starts a generation", 60, () -> clients.get(i).postJson("/v1/streams", TestHubs.chat("ready?", 1L))
        .timeout(REPLY_TIMEOUT_S, TimeUnit.SECONDS).map(resp -> resp.statusCode() == 201));
  }

  /** Bounded polling on the test thread, every 250 ms; fails at once when a node died. */
  private void poll(String what, int seconds, java.util.function.Supplier<Future<Boolean>> check) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      checkAlive();
      if (check.get().otherwise(false).await()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + seconds + " s");
      }
      vertx.timer(250).await();
    }
  }

  private void checkAlive() {
    for (NodeProcess node : nodes) {
      if (node.exitedUnexpectedly()) {
        throw new AssertionError("node " + node.name() + " exited; see target/it-logs/" + node.name() + ".log");
      }
    }
  }

  private static String content(JsonObject event) {
    return event.getString("type") + " " + event.getJsonObject("data").encode();
  }
}
