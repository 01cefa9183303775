package dev.streamhub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code dev.streamhub} in layers: a class may use its own package and the packages
 * of lower layers, never one of its own layer or above (so no cycle either). What counts as a use:
 * an {@code import} (plain, static or {@code .*}) or a fully qualified {@code dev.streamhub.x.Y} in
 * code, read from the sources of {@code src/main/java} (compiled classes would miss inlined
 * constants). A sub-package ({@code streamlog.redis}) belongs to its top package ({@code streamlog}).
 *
 * <p>{@link #KNOWN_UPWARD} lists the upward uses still left, one {@code file -> package} each; the
 * test fails on any use not in it and on any entry that no longer occurs, so the list only shrinks.
 */
class PackageLayersTest {

  private static final Path MAIN = Path.of("src", "main", "java", "dev", "streamhub");

  /** Lowest first. {@code ""} is the root package ({@code Hub}, {@code HubMain}, {@code HubVertx}): it assembles everything. */
  static final List<Set<String>> LAYERS = List.of(
      Set.of("stream", "config", "stats", "internal"),
      Set.of("cluster"),
      Set.of("broker"),
      Set.of("streamlog"),
      Set.of("ops", "subscribe", "publish"),
      Set.of("limits"),
      Set.of("worker"),
      Set.of("session"),
      Set.of("auth"),
      Set.of("conversation", "bridge"),
      Set.of("transport"),
      Set.of(""));

  /** Upward uses not yet removed (file under {@code dev/streamhub} -> the package it uses). */
  static final Set<String> KNOWN_UPWARD = Set.of();

  private static final Pattern PACKAGE = Pattern.compile("^package dev\\.streamhub((?:\\.[a-z]\\w*)*);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?dev\\.streamhub\\.([a-z]\\w*)\\.", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])dev\\.streamhub\\.([a-z]\\w*)\\.");
  private static final Pattern ROOT_CLASS = Pattern.compile("(?<![\\w.])dev\\.streamhub\\.[A-Z]");
  private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\\\n])*\"");
  private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

  @Test
  void noPackageUsesOneOfItsLayerOrAbove() {
    Set<String> found = upwardUses(sources());
    Set<String> unexpected = new TreeSet<>(found);
    unexpected.removeAll(KNOWN_UPWARD);
    assertEquals(Set.of(), unexpected, "uses of a package of the same or a higher layer (see LAYERS)");
  }

  @Test
  void theKnownUpwardUsesAreAllStillThere() {
    Set<String> gone = new TreeSet<>(KNOWN_UPWARD);
    gone.removeAll(upwardUses(sources()));
    assertEquals(Set.of(), gone, "fixed: remove these from KNOWN_UPWARD");
  }

  @Test
  void everyPackageHasItsLayer() {
    Set<String> unplaced = new TreeSet<>();
    sources().forEach((file, source) -> {
      String pkg = topPackage(source);
      if (layerOf(pkg) < 0) {
        unplaced.add(pkg + " (" + file + ")");
      }
    });
    assertEquals(Set.of(), unplaced, "packages missing from LAYERS");
  }

  /** The check itself: each kind of use of a higher or same-layer package is caught, a lower one is not. */
  @Test
  void theCheckCatchesEveryKindOfUpwardUse() {
    Map<String, String> files = new TreeMap<>();
    files.put("streamlog/A.java", "package dev.streamhub.streamlog;\nimport dev.streamhub.transport.EdgeVerticle;\nclass A {}\n");
    files.put("streamlog/B.java", "package dev.streamhub.streamlog;\nimport static dev.streamhub.session.Sessions.of;\nclass B {}\n");
    files.put("streamlog/C.java", "package dev.streamhub.streamlog;\nimport dev.streamhub.worker.*;\nclass C {}\n");
    files.put("streamlog/D.java", "package dev.streamhub.streamlog;\nclass D { dev.streamhub.ops.Drain drain; }\n");
    files.put("ops/E.java", "package dev.streamhub.ops.metrics;\nimport dev.streamhub.subscribe.Sink;\nclass E {}\n");
    files.put("stream/F.java", "package dev.streamhub.stream;\nclass F { dev.streamhub.Hub hub; }\n");
    files.put("streamlog/redis/G.java", "package dev.streamhub.streamlog.redis;\nimport dev.streamhub.streamlog.StreamLog;\n"
        + "import dev.streamhub.stream.Event;\nimport dev.streamhub.cluster.Addresses;\n/** {@link dev.streamhub.transport.EdgeVerticle} */\n"
        + "class G { String route = \"/v1/*\"; String name = \"dev.streamhub.session.X\"; dev.streamhub.broker.Broker b; }\n");
    assertEquals(Set.of("streamlog/A.java -> transport", "streamlog/B.java -> session", "streamlog/C.java -> worker",
        "streamlog/D.java -> ops", "ops/E.java -> subscribe", "stream/F.java -> "), upwardUses(files));
  }

  static Set<String> upwardUses(Map<String, String> files) {
    Set<String> upward = new TreeSet<>();
    files.forEach((file, source) -> {
      String from = topPackage(source);
      String code = COMMENT.matcher(STRING.matcher(source).replaceAll("\"\"")).replaceAll(" ");
      Set<String> used = new TreeSet<>();
      for (Matcher m = IMPORT.matcher(source); m.find(); ) {
        used.add(m.group(1));
      }
      for (Matcher m = QUALIFIED.matcher(code); m.find(); ) {
        used.add(m.group(1));
      }
      if (ROOT_CLASS.matcher(code).find()) {
        used.add("");
      }
      used.remove(from);
      for (String to : used) {
        int target = layerOf(to);
        if (target < 0 || target >= layerOf(from)) {
          upward.add(file + " -> " + to);
        }
      }
    });
    return upward;
  }

  private static int layerOf(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    return -1;
  }

  private static String topPackage(String source) {
    Matcher m = PACKAGE.matcher(source);
    assertTrue(m.find(), "no dev.streamhub package declaration");
    String sub = m.group(1);
    return sub.isEmpty() ? "" : sub.substring(1).split("\\.")[0];
  }

  private static Map<String, String> sources() {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(MAIN)) {
      List<Path> java = new ArrayList<>(paths.filter(p -> p.toString().endsWith(".java")).toList());
      for (Path p : java) {
        files.put(MAIN.relativize(p).toString().replace('\\', '/'), Files.readString(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(files.size() > 100, "read " + files.size() + " sources under " + MAIN.toAbsolutePath());
    return files;
  }
}
