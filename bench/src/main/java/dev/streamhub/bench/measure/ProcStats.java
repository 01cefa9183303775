package dev.streamhub.bench.measure;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** Linux {@code /proc}: resident memory and CPU time of a process, and who listens on a port. */
public final class ProcStats {

  /** Clock ticks per second of {@code /proc/<pid>/stat} times; 100 on every common Linux. */
  public static final long TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** {@code VmRSS} of {@code pid} in bytes, empty if the process is gone or /proc is missing. */
  public static OptionalLong rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** {@code Pss} of {@code pid} in bytes ({@code /proc/<pid>/smaps_rollup}), empty if unreadable. */
  public static OptionalLong pssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return OptionalLong.of(Long.parseLong(line.substring(4).trim().split("\\s+")[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** {@code utime + stime} of {@code pid} in clock ticks (all threads), empty if unreadable. */
  public static OptionalLong cpuTicks(long pid) {
    long[] t = userSystemTicks(pid);
    return t.length == 2 ? OptionalLong.of(t[0] + t[1]) : OptionalLong.empty();
  }

  /** {@code [utime, stime]} of {@code pid} in clock ticks (all threads), empty if unreadable. */
  public static long[] userSystemTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    } catch (IOException | RuntimeException e) {
      return new long[0];
    }
  }

  /**
   * CPU time of the whole machine from the first line of {@code /proc/stat}: {@code [busy, total]}
   * in clock ticks summed over all cores, busy being everything but idle and iowait. Empty if unreadable.
   */
  public static long[] machineTicks() {
    try (java.io.BufferedReader reader = Files.newBufferedReader(Path.of("/proc/stat"))) {
      String[] f = reader.readLine().trim().split("\\s+");
      long busy = 0;
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i != 4 && i != 5) {
          busy += v;
        }
      }
      return new long[] {busy, total};
    } catch (IOException | RuntimeException e) {
      return new long[0];
    }
  }

  /**
   * CPU ticks ({@code utime + stime}) of each thread of {@code pid}, keyed by thread id, with the
   * kernel's thread name (the first 15 characters of the Java thread name) as the first element.
   */
  public static java.util.Map<String, java.util.Map.Entry<String, Long>> threadTicks(long pid) {
    java.util.Map<String, java.util.Map.Entry<String, Long>> threads = new java.util.HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          threads.put(task.getFileName().toString(),
              java.util.Map.entry(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12])));
        } catch (IOException | RuntimeException e) {
          // thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return threads;
    }
    return threads;
  }

  /** The pid of the process with a listening TCP socket on {@code port}, if this user can see it. */
  public static OptionalLong listenerOf(int port) {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    String inode = null;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
            inode = f[9];
            break;
          }
        }
      } catch (IOException e) {
        // try the other table
      }
      if (inode != null) {
        break;
      }
    }
    if (inode == null) {
      return OptionalLong.empty();
    }
    String socket = "socket:[" + inode + "]";
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path proc : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (Files.readSymbolicLink(fd).toString().equals(socket)) {
                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
              }
            } catch (IOException e) {
              // fd closed meanwhile
            }
          }
        } catch (IOException e) {
          // not ours, or gone
        }
      }
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** Physical memory of the machine in bytes, from {@code /proc/meminfo}. */
  public static long memTotalBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.substring(9).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
