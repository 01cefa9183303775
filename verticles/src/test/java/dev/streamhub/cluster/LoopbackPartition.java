package dev.streamhub.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Network partitions between the nodes of one test cluster on loopback, made with {@code iptables}
 * rules that match only this cluster's own traffic: the Hazelcast members' links and the Vert.x
 * event bus between the nodes, as a real partition between hosts cuts both.
 *
 * <p>Each member {@code i} listens on a fixed port {@link #memberPort(int)} and opens its own
 * connections from a fixed range {@link #outboundFrom(int)}..{@link #outboundTo(int)} (Hazelcast's
 * {@code outbound-ports}), all in 32100-32599, at a base chosen at random per run among the free
 * ones: below Linux's ephemeral range (32768 and up), where no connection's source port can take a
 * member's port before it binds (a member trying a not-yet-listening port of the ephemeral range
 * can even connect to itself), and above the 20000-31999 the tests' HTTP ports come from. Cutting
 * member {@code a}
 * from member {@code b} is two {@code DROP} rules in {@code INPUT} on {@code lo}: TCP from a port of
 * {@code a} to a port of {@code b}, and back. Nothing else is matched: not the well-known Hazelcast
 * ports 5701-5720 other clusters on this host use, not any other traffic. Every rule carries the
 * comment {@code streamhub-partition-<run>} and is removed by exactly the spec that added it, by
 * {@link #heal()}, by {@link #close()} and by a JVM shutdown hook; rules this class did not add are
 * never touched.
 *
 * <p>The event bus: node {@code i} listens on {@link #eventBusPort(int)} (in the same range), but
 * its connections to the other nodes' event buses leave from ephemeral ports, which tell no node
 * apart. So each node runs with a supplementary group of its own ({@link #launcher(int)}, {@code
 * setpriv --groups}), and cutting {@code a} from {@code b} also drops, in {@code OUTPUT} on {@code lo},
 * TCP sent by a socket of {@code a}'s group ({@code -m owner --gid-owner --suppl-groups}) to
 * {@code b}'s event-bus port, and back: a live event published on one side never reaches the
 * other, as between two hosts.
 *
 * <p>If {@code iptables} cannot be run (not root, not installed), {@link #open} throws: a partition
 * test that cannot partition must fail, not pass or skip.
 */
public final class LoopbackPartition implements AutoCloseable {

  static final int FIRST_PORT = 32100;
  static final int OUTBOUND_PORTS = 20;
  /** Event-bus ports start this far above the base: base + 50 + i. */
  static final int EVENT_BUS_OFFSET = 50;
  /** Supplementary groups of the nodes: one per base and member, unused by anything else. */
  static final int FIRST_GROUP = 400_000;

  private final int members;
  private final int base;
  private final String tag = "streamhub-partition-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<List<String>> installed = new ArrayList<>();
  private final Thread hook = new Thread(this::removeAll, "partition-rules-cleanup");

  private LoopbackPartition(int members, int base) {
    this.members = members;
    this.base = base;
  }

  /** Ports for {@code members} members (at most 5) at a random base; checks that iptables works. */
  public static LoopbackPartition open(int members) throws IOException, InterruptedException {
    if (members < 2 || members > 5) {
      throw new IllegalArgumentException("2 to 5 members");
    }
    LoopbackPartition partition = new LoopbackPartition(members, freeBase(members));
    String listing = partition.iptables(List.of("-S", "INPUT"));
    if (listing == null) {
      dev.streamhub.RequiredTool.missing("iptables cannot be run here (the partition test needs root and the iptables package;"
          + " Debian/Ubuntu: sudo apt-get install iptables, then run the tests as root): " + partition.lastError);
    }
    Runtime.getRuntime().addShutdownHook(partition.hook);
    return partition;
  }

  /** A base whose member ports are all free now. */
  private static int freeBase(int members) throws IOException {
    Random random = new Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = FIRST_PORT + random.nextInt(300);
      boolean free = true;
      for (int i = 0; i < 2 * members && free; i++) {
        int port = i < members ? base + i : base + EVENT_BUS_OFFSET + i - members;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
          socket.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no free member ports found in " + FIRST_PORT + "-" + (FIRST_PORT + 304));
  }

  /** Hazelcast's listening port of member {@code i} (0-based). */
  public int memberPort(int i) {
    return base + i;
  }

  /** The event-bus port of node {@code i} ({@code cluster_eventbus_port}). */
  public int eventBusPort(int i) {
    return base + EVENT_BUS_OFFSET + i;
  }

  /** The supplementary group node {@code i} runs with, by which the rules know its event-bus connections. */
  public int group(int i) {
    return FIRST_GROUP + (base - FIRST_PORT) * 8 + i;
  }

  /** The command node {@code i}'s JVM is started through ({@link NodeProcess#start(String, String, String, java.util.Map, List)}). */
  public List<String> launcher(int i) {
    return List.of("setpriv", "--groups", Integer.toString(group(i)), "--");
  }

  /** The first port member {@code i} connects from. */
  public int outboundFrom(int i) {
    return base + 100 + OUTBOUND_PORTS * i;
  }

  /** The last port member {@code i} connects from. */
  public int outboundTo(int i) {
    return outboundFrom(i) + OUTBOUND_PORTS - 1;
  }

  /** Cuts every member of {@code side} from every member not in it (both directions). */
  public synchronized void cut(Set<Integer> side) throws IOException, InterruptedException {
    for (int a : side) {
      for (int b = 0; b < members; b++) {
        if (!side.contains(b)) {
          add(rule(a, b));
          add(rule(b, a));
          add(eventBusRule(a, b));
          add(eventBusRule(b, a));
        }
      }
    }
  }

  /**
   * Cuts only the link between members {@code a} and {@code b} (both directions, Hazelcast and event
   * bus): each still reaches every other member, a one-link (partial) partition.
   */
  public synchronized void cutLink(int a, int b) throws IOException, InterruptedException {
    if (a == b || a < 0 || b < 0 || a >= members || b >= members) {
      throw new IllegalArgumentException("two different members of 0.." + (members - 1) + ": " + a + ", " + b);
    }
    add(rule(a, b));
    add(rule(b, a));
    add(eventBusRule(a, b));
    add(eventBusRule(b, a));
  }

  /** Removes every rule this partition added. */
  public synchronized void heal() throws IOException, InterruptedException {
    List<List<String>> rules = new ArrayList<>(installed);
    for (List<String> rule : rules) {
      if (delete(rule)) {
        installed.remove(rule);
      }
    }
    if (!installed.isEmpty()) {
      throw new AssertionError("iptables rules could not be removed: " + installed + ": " + lastError);
    }
  }

  /**
   * Packets the event-bus rules now installed dropped so far (their {@code iptables} counters, gone
   * once {@link #heal()} removed them): proof that the event bus was cut, not merely asked to be.
   */
  public synchronized long droppedEventBusPackets() throws IOException, InterruptedException {
    String listing = iptables(List.of("-L", "OUTPUT", "-n", "-v", "-x"));
    if (listing == null) {
      throw new AssertionError("iptables could not list OUTPUT: " + lastError);
    }
    long dropped = 0;
    for (String line : listing.split("\n")) {
      if (line.contains(tag)) {
        dropped += Long.parseLong(line.trim().split("\\s+")[0]);
      }
    }
    return dropped;
  }

  /** The rules now installed, for the test's report. */
  public synchronized int rules() {
    return installed.size();
  }

  @Override
  public void close() {
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private synchronized void removeAll() {
    for (List<String> rule : new ArrayList<>(installed)) {
      try {
        if (delete(rule)) {
          installed.remove(rule);
        }
      } catch (Exception e) {
        // the hook must go on with the other rules
      }
    }
  }

  /** TCP packets on loopback from a port of member {@code from} to a port of member {@code to}. */
  private List<String> rule(int from, int to) {
    return List.of("INPUT", "-i", "lo", "-p", "tcp",
        "-m", "multiport", "--sports", ports(from),
        "-m", "multiport", "--dports", ports(to),
        "-m", "comment", "--comment", tag, "-j", "DROP");
  }

  /** TCP on loopback sent by a socket of node {@code from}'s group to node {@code to}'s event-bus port. */
  private List<String> eventBusRule(int from, int to) {
    return List.of("OUTPUT", "-o", "lo", "-p", "tcp",
        "-m", "owner", "--gid-owner", Integer.toString(group(from)), "--suppl-groups",
        "--dport", Integer.toString(eventBusPort(to)),
        "-m", "comment", "--comment", tag, "-j", "DROP");
  }

  private String ports(int member) {
    return memberPort(member) + "," + outboundFrom(member) + ":" + outboundTo(member);
  }

  private void add(List<String> rule) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("-I"));
    args.addAll(rule);
    if (iptables(args) == null) {
      throw new AssertionError("iptables could not add " + rule + ": " + lastError);
    }
    installed.add(rule);
  }

  private boolean delete(List<String> rule) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("-D"));
    args.addAll(rule);
    return iptables(args) != null;
  }

  private volatile String lastError = "";

  /** Runs {@code iptables -w <args>}; its output, or null when it failed (the reason in {@link #lastError}). */
  private String iptables(Collection<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", "5"));
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      lastError = notInstalled.getMessage();
      return null;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      lastError = "timed out: " + String.join(" ", command);
      return null;
    }
    if (process.exitValue() != 0) {
      lastError = String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim();
      return null;
    }
    return output;
  }

  @Override
  public String toString() {
    return "members on " + ports(0).split(",")[0] + ".." + memberPort(members - 1) + ", rules tagged " + tag
        + ", event buses on " + eventBusPort(0) + ".." + eventBusPort(members - 1) + " (groups " + group(0) + ".." + group(members - 1) + "), "
        + installed.size() + " rules installed";
  }
}
