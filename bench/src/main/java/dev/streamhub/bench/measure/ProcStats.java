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

  /** {@code utime + stime} of {@code pid} in clock ticks (all threads), empty if unreadable. */
  public static OptionalLong cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      return OptionalLong.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
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
