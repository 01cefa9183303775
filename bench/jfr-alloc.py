#!/usr/bin/env python3
"""Bytes allocated per delivered event, and where, from a JFR recording (python3 stdlib + `jfr`).

usage: bench/jfr-alloc.py RECORDING.jfr --events N [--top 25] [--thread SUBSTRING] [--from-s S --to-s S]

Total: the growth of jdk.ThreadAllocationStatistics (every thread's allocated bytes, sampled each
second by settings=profile) over the recording, or between --from-s and --to-s seconds after its
start, divided by N (the events delivered in that window, say the reported round's delivered
tokens). Where: jdk.ObjectAllocationSample weights (bytes each sample stands for) by allocated
class and by the first frame in StreamHub, Vert.x or Netty code, as shares of the sampled weight.
"""
import argparse
import collections
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
jfr_hotspots = __import__("jfr-hotspots")


def events(recording, name):
    out = subprocess.run([jfr_hotspots.jfr_tool(), "print", "--json", "--stack-depth", "64", "--events", name, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def when(e):
    return datetime.datetime.fromisoformat(e["values"]["startTime"].replace("Z", "+00:00")).timestamp()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--events", type=float, required=True, help="events delivered in the window")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--thread", default=None)
    parser.add_argument("--stack", default=None, help="only allocation samples with a frame containing this (say Subscription.onLive)")
    parser.add_argument("--from-s", type=float, default=None)
    parser.add_argument("--to-s", type=float, default=None)
    args = parser.parse_args()

    stats = events(args.recording, "jdk.ThreadAllocationStatistics")
    if not stats:
        sys.exit("no jdk.ThreadAllocationStatistics events (record with settings=profile)")
    t0 = min(when(e) for e in stats)
    lo = t0 + (args.from_s or 0)
    hi = t0 + (args.to_s if args.to_s is not None else 1e12)
    first, last = {}, {}
    for e in stats:
        t = when(e)
        if t < lo or t > hi:
            continue
        v = e["values"]
        thread = (v.get("thread") or {}).get("javaName") or str((v.get("thread") or {}).get("osThreadId"))
        if args.thread and args.thread not in thread:
            continue
        first.setdefault(thread, v["allocated"])
        last[thread] = v["allocated"]
    total = sum(last[t] - first[t] for t in last)
    print(f"allocated {total / 1e6:,.1f} MB in the window; {total / args.events:,.0f} bytes per delivered event ({args.events:,.0f} events)")
    by_thread = sorted(((last[t] - first[t], t) for t in last), reverse=True)[:8]
    for b, t in by_thread:
        print(f"  {b / args.events:8,.0f} B/event  {t}")

    samples = events(args.recording, "jdk.ObjectAllocationSample")
    by_class = collections.Counter()
    by_site = collections.Counter()
    weight = 0
    all_weight = [0]
    for e in samples:
        t = when(e)
        if t < lo or t > hi:
            continue
        v = e["values"]
        thread = (v.get("eventThread") or {}).get("javaName") or "?"
        if args.thread and args.thread not in thread:
            continue
        w = v.get("weight", 0)
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if args.stack and not any(args.stack in jfr_hotspots.frame_name(f) for f in frames):
            all_weight[0] += w
            continue
        all_weight[0] += w
        weight += w
        by_class[(v.get("objectClass") or {}).get("name", "?")] += w
        names = [jfr_hotspots.frame_name(f) for f in frames]
        site = next((n for n in names if n.startswith("dev.streamhub.")), names[0] if names else "?")
        inner = names[0] if names else "?"
        by_site[f"{site}  <-  {inner}" if site != inner else site] += w
    if weight == 0:
        return
    print(f"\nsampled allocation weight {weight / 1e6:,.1f} MB of {all_weight[0] / 1e6:,.1f} MB"
          + (f" (stacks with {args.stack}): {weight / args.events:,.0f} B per delivered event by the samples' own weights" if args.stack else "")
          + "; by class:")
    scale = 1.0 if args.stack else (total / weight if total else 1.0)
    for name, w in by_class.most_common(args.top):
        print(f"  {100.0 * w / weight:5.1f}%  {w / args.events * scale:7,.0f} B/event  {name}")
    print("\nby first StreamHub frame  <-  allocating frame:")
    for name, w in by_site.most_common(args.top):
        print(f"  {100.0 * w / weight:5.1f}%  {w / args.events * scale:7,.0f} B/event  {name}")


if __name__ == "__main__":
    main()
