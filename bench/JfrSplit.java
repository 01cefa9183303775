import jdk.jfr.consumer.*;
import java.nio.file.*;
import java.util.*;

/**
 * Where a relay-mode hub's CPU and allocation go, split by side and component, from a JFR recording
 * ({@code --hub-jfr}, settings=profile). JDK only, run as a source file:
 *
 * <pre>java bench/JfrSplit.java RECORDING.jfr</pre>
 *
 * Side: "delivery" when the stack passes through the subscription / SSE / session code (a reader's
 * write), "publish(request)" when it passes through Vert.x's HTTP server request, Netty's HTTP
 * decoder, Vert.x Web or any other hub frame (in relay mode: the POST that carries a token),
 * "other" for the rest (the event loop itself, Netty's pipeline with no request frame).
 * Component: the innermost recognised frame (Micrometer, Vert.x Web routing, BodyHandler, Jackson,
 * event bus, a hub class, Netty write/flush, Netty HTTP decoding, Vert.x HTTP core). Samples:
 * {@code jdk.ExecutionSample} (Java code on a CPU), {@code jdk.ObjectAllocationSample} (by weight),
 * and {@code jdk.NativeMethodSample} outside waits (system calls: send, writev, recv).
 * A JVM reading a large recording in full: {@code jfr print --json} of the same is gigabytes.
 */
public class JfrSplit {
  static String cls(RecordedFrame f) { return f.getMethod().getType().getName(); }
  static String name(RecordedFrame f) { return cls(f) + "." + f.getMethod().getName(); }
  static boolean deliveryCls(String c) {
    return c.startsWith("dev.streamhub.subscribe.") || c.startsWith("dev.streamhub.transport.sse.") || c.startsWith("dev.streamhub.session.")
        || c.startsWith("dev.streamhub.broker.Fanout") || c.startsWith("dev.streamhub.broker.LocalBroker$Listener.drain");
  }
  static String side(List<RecordedFrame> fr) {
    for (RecordedFrame f : fr) if (deliveryCls(cls(f))) return "delivery";
    for (RecordedFrame f : fr) if (name(f).startsWith("dev.streamhub.broker.LocalBroker$Listener.drain")) return "delivery";
    for (RecordedFrame f : fr) { String c = cls(f); if (c.startsWith("io.vertx.core.http.impl.Http1xServer") || c.startsWith("io.netty.handler.codec.http.HttpObjectDecoder") || c.startsWith("io.vertx.ext.web") || c.startsWith("dev.streamhub")) return "publish(request)"; }
    return "other";
  }
  static String component(List<RecordedFrame> fr) {
    for (RecordedFrame f : fr) {
      String c = cls(f), n = name(f);
      if (c.startsWith("io.micrometer") || c.startsWith("io.vertx.micrometer")) return "metrics (micrometer)";
      if (n.startsWith("io.vertx.ext.web.impl.RouteState.matches") || c.startsWith("io.vertx.ext.web.impl.RouterImpl") || n.contains("iterateNext") || c.startsWith("io.vertx.ext.web.impl.RoutingContextImpl") || c.startsWith("io.vertx.ext.web.impl.RouteState") || c.startsWith("io.vertx.ext.web.impl.ForwardedParser") || c.startsWith("io.vertx.ext.web.impl.HttpServerRequestWrapper")) return "vertx-web routing";
      if (c.startsWith("io.vertx.ext.web.handler.impl.BodyHandler")) return "vertx-web BodyHandler";
      if (c.startsWith("com.fasterxml.jackson") || c.startsWith("io.vertx.core.json")) return "json (jackson)";
      if (c.startsWith("io.vertx.core.eventbus")) return "eventbus";
      if (c.startsWith("dev.streamhub.")) return "hub:" + c.substring(14).replaceAll("\\$.*", "");
      if (n.contains("HttpObjectEncoder") || n.contains("HttpContentEncoder") || n.contains("ChannelOutboundBuffer") || n.contains(".flush") || n.contains("doWrite") || n.contains("writeBytes")) return "netty write/flush";
      if (c.startsWith("io.netty.handler.codec")) return "netty http decode";
      if (c.startsWith("io.vertx.core.http.impl") || c.startsWith("io.vertx.core.net.impl")) return "vertx http core";
      if (c.startsWith("io.vertx.core.impl.future") || c.startsWith("io.vertx.core.Future")) continue;
    }
    String leaf = fr.isEmpty() ? "?" : cls(fr.get(0));
    if (leaf.startsWith("io.netty.util.concurrent") || leaf.startsWith("io.netty.channel.SingleThread") || leaf.startsWith("io.netty.channel.epoll.Epoll") || leaf.startsWith("io.vertx.core.internal.ContextInternal")) return "event loop / tasks";
    for (RecordedFrame f : fr) if (cls(f).startsWith("io.netty.channel")) return "netty channel pipeline";
    return "other:" + leaf.replaceAll("\\.[A-Z].*", "");
  }

  public static void main(String[] a) throws Exception {
    Map<String, Double> cpu = new TreeMap<>(), alloc = new TreeMap<>();
    Map<String, Double> cpuSide = new TreeMap<>(), allocSide = new TreeMap<>();
    double n = 0, at = 0; int native_ = 0; Map<String, Integer> nat = new TreeMap<>();
    try (RecordingFile rf = new RecordingFile(Paths.get(a[0]))) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String t = e.getEventType().getName();
        boolean ex = t.equals("jdk.ExecutionSample"), al = t.equals("jdk.ObjectAllocationSample"), nm = t.equals("jdk.NativeMethodSample");
        if (!ex && !al && !nm) continue;
        List<RecordedFrame> fr = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
        if (nm) {
          if (fr.isEmpty()) continue;
          String leaf = name(fr.get(0));
          if (leaf.contains("epollWait") || leaf.contains("epollBusyWait") || leaf.contains("accept") || leaf.contains("Thread.sleep") || leaf.contains("park")) continue;
          native_++; nat.merge(side(fr) + " | " + leaf, 1, Integer::sum);
          continue;
        }
        String s = side(fr), c = component(fr);
        double w = ex ? 1 : e.getLong("weight");
        if (ex) { cpu.merge(s + " | " + c, w, Double::sum); cpuSide.merge(s, w, Double::sum); n += w; }
        else { alloc.merge(s + " | " + c, w, Double::sum); allocSide.merge(s, w, Double::sum); at += w; }
      }
    }
    final double N = n, A = at;
    System.out.printf("execution samples %.0f, allocation weight %.1f MB, native (non-wait) samples %d%n", n, at / 1e6, native_);
    System.out.println("CPU by side:"); cpuSide.forEach((k, v) -> System.out.printf("  %5.1f%%  %s%n", 100 * v / N, k));
    System.out.println("alloc by side:"); allocSide.forEach((k, v) -> System.out.printf("  %5.1f%%  %s%n", 100 * v / A, k));
    System.out.println("CPU by side | component:");
    cpu.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(40).forEach(en -> System.out.printf("  %5.1f%%  %s%n", 100 * en.getValue() / N, en.getKey()));
    System.out.println("alloc by side | component:");
    alloc.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(40).forEach(en -> System.out.printf("  %5.1f%%  %5.1f MB  %s%n", 100 * en.getValue() / A, en.getValue() / 1e6, en.getKey()));
    System.out.println("native (syscall) samples:");
    nat.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(12).forEach(en -> System.out.printf("  %5d  %s%n", en.getValue(), en.getKey()));
  }
}
