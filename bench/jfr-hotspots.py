#!/usr/bin/env python3
"""Top CPU hot spots of a JFR recording (python3 stdlib + the JDK's `jfr` tool).

usage: bench/jfr-hotspots.py RECORDING.jfr [--top 25] [--thread SUBSTRING]

Prints the methods most often on top of the stack in jdk.ExecutionSample events ("self"),
and the methods most often anywhere on the stack ("total"), with the share of samples.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys


def jfr_tool():
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "jfr")):
        return os.path.join(java_home, "bin", "jfr")
    found = shutil.which("jfr")
    if found:
        return found
    java = shutil.which("java")
    if java:
        candidate = os.path.join(os.path.dirname(os.path.realpath(java)), "jfr")
        if os.path.exists(candidate):
            return candidate
    sys.exit("jfr tool not found (set JAVA_HOME to a JDK)")


def frame_name(frame):
    method = frame.get("method", {})
    owner = method.get("type", {}).get("name", "?")
    return owner.rsplit(".", 1)[-1] if False else owner + "." + method.get("name", "?")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--thread", default=None, help="only samples of threads whose name contains this")
    args = parser.parse_args()
    out = subprocess.run([jfr_tool(), "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", args.recording],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_counts = collections.Counter()
    total_counts = collections.Counter()
    threads = collections.Counter()
    n = 0
    for e in events:
        values = e["values"]
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        if args.thread and args.thread not in thread:
            continue
        frames = (values.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        n += 1
        threads[thread] += 1
        self_counts[frame_name(frames[0])] += 1
        for name in set(frame_name(f) for f in frames):
            total_counts[name] += 1
    if n == 0:
        sys.exit("no execution samples")
    print(f"{n} execution samples in {args.recording}")
    print("\nby thread:")
    for name, c in threads.most_common(10):
        print(f"  {100.0 * c / n:5.1f}%  {name}")
    print("\nself (top of stack):")
    for name, c in self_counts.most_common(args.top):
        print(f"  {100.0 * c / n:5.1f}%  {name}")
    print("\ntotal (anywhere on the stack):")
    for name, c in total_counts.most_common(args.top):
        print(f"  {100.0 * c / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
