#!/usr/bin/env python3
"""Turns bench/results/latest.json into the Markdown of the README's Performance section.

usage: bench/report.py [bench/results/latest.json] > table.md

python3 standard library only.
"""
import json
import os
import sys

SCENARIO_ORDER = ["many-streams", "resume-replay", "fan-out", "idle-connections", "max-throughput"]

COLUMNS = [
    ("scenario", "scenario_label"),
    ("transport", "transport"),
    ("server", "target"),
    ("clients", "clients"),
    ("streams", "streams"),
    ("delivered tokens/s", "delivered_per_s"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("p99.9 ms", "p999_ms"),
    ("max ms", "max_ms"),
    ("lost", "lost"),
    ("dup", "duplicates"),
    ("out of order", "out_of_order"),
    ("incomplete", "incomplete"),
    ("hub RSS MB", "server_rss_mb"),
    ("hub CPU %", "server_cpu_pct"),
    ("bench CPU %", "client_cpu_pct"),
    ("other CPU %", "other_cpu_pct"),
]


# Figures a scenario does not measure, printed as "–" even where an older record holds a constant:
# idle connections never receive a token (the stream's first one is 10 minutes away).
NOT_MEASURED = {"idle-connections": {"lost", "duplicates", "out_of_order", "incomplete"}}


def fmt(value):
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latest.json")
    with open(path) as f:
        records = json.load(f)
    transports = ["sse", "ws", "poll"]
    records.sort(key=lambda r: (SCENARIO_ORDER.index(r["scenario"]) if r["scenario"] in SCENARIO_ORDER else 99,
                                r.get("variant") or "",
                                transports.index(r["transport"]) if r.get("transport") in transports else 9,
                                r.get("target", "streamhub") != "streamhub", r.get("target", "")))
    for r in records:
        r["scenario_label"] = r["scenario"] + (f" ({r['variant']})" if r.get("variant") else "")
        for key in NOT_MEASURED.get(r["scenario"], ()):
            r[key] = None
    out = []
    machines = {json.dumps({k: v for k, v in r.get("machine", {}).items() if k != "loadavg_at_start"}, sort_keys=True)
                for r in records}
    for m in sorted(machines):
        m = json.loads(m)
        out.append(f"Machine: {m.get('cores')} cores ({m.get('cpu_model')}), {m.get('memory_gb')} GB RAM, "
                   f"{m.get('java')}, {m.get('os')}.")
    out.append("")
    out.append("| " + " | ".join(h for h, _ in COLUMNS) + " | target |")
    out.append("|" + "|".join("---" if i < 3 else "---:" for i in range(len(COLUMNS))) + "|---|")
    for r in records:
        check = r.get("target_check") or {}
        met = check.get("met")
        verdict = "" if met is None else ("met" if met else "**missed**")
        if r.get("target", "streamhub") != "streamhub":
            verdict = "(peer)"
        out.append("| " + " | ".join(fmt(r.get(k)) for _, k in COLUMNS) + f" | {verdict} |")
    out.append("")
    out.append("Targets (issue 7, 2-core reference machine):")
    out.append("")
    for r in records:
        check = r.get("target_check") or {}
        if check:
            verdict = "met" if check.get("met") else "**missed**"
            out.append(f"- {r['scenario_label']} ({r['transport']}): goal {check.get('goal')}; measured {check.get('measured')} — {verdict}")
    peer_records = [r for r in records if r.get("peer_check")]

    def checks(r, key):
        """Every peer's check of kind key (peer_check, efficiency_check) in record r, by peer."""
        many = r.get(key + "s")
        if many:
            return many
        one = r.get(key)
        return {one["peer"]: one} if one else {}

    for r in peer_records:
        for kind in ("peer_check", "efficiency_check"):
            for peer, check in checks(r, kind).items():
                verdict = "met" if check.get("met") else "**missed**"
                out.append(f"- {r['scenario_label']} ({r['transport']}) vs {peer}: goal {check.get('goal')}; "
                           f"measured {check.get('measured')} — {verdict}")
    if peer_records:
        out.append("")
        out.append("Side by side with a peer (`--peer`; same run, same load generator, same POST bodies; "
                   "ratio = StreamHub / peer; for nginx the server RSS and CPU are summed over the master and its workers, "
                   "and PSS counts Nchan's shared-memory zone once; for resumable-stream they are summed over node and its redis-server):")
        for r, peer in [(r, peer) for r in peer_records for peer in checks(r, "peer_check")]:
            theirs = next((p for p in records if p.get("target") == peer and p["scenario"] == r["scenario"]
                           and p.get("variant") == r.get("variant") and p.get("transport") == r.get("transport")), None)
            if theirs is None:
                continue
            ratios = (r.get("vs_peers") or {}).get(peer) or r.get("vs_peer") or {}
            workers = (theirs.get("hub") or {}).get("worker_processes")
            out.append("")
            out.append(f"{r['scenario_label']}, {fmt(r.get('clients'))} readers, {fmt(r.get('streams'))} stream{'' if r.get('streams') == 1 else 's'} × "
                       f"{fmt(r.get('tokens_per_stream'))} tokens at {fmt(r.get('rate_per_stream'))} tokens/s "
                       f"(offered {fmt(r.get('offered_per_s'))} delivered tokens/s); {peer}: "
                       f"{(theirs.get('hub') or {}).get('server')}"
                       + (f", worker_processes {workers}:" if workers else ":"))
            out.append("")
            out.append(f"| figure | StreamHub | {peer} | ratio StreamHub/{peer} |")
            out.append("|---|---:|---:|---:|")
            for label, key in [("delivered tokens/s", "delivered_per_s"), ("published tokens/s", "published_per_s"),
                               ("end-to-end p50 ms", "p50_ms"), ("end-to-end p99 ms", "p99_ms"),
                               ("end-to-end p99.9 ms", "p999_ms"), ("end-to-end max ms", "max_ms"),
                               ("publish POST p50 ms", "publish_post_p50_ms"), ("publish POST p99 ms", "publish_post_p99_ms"),
                               ("lost / dup / out of order", None),
                               ("server RSS MB (peak)", "server_rss_mb"), ("server PSS MB (end)", "server_pss_end_mb"),
                               ("server CPU % of a core", "server_cpu_pct"),
                               ("server CPU µs per delivered token", "server_cpu_us_per_delivered"),
                               ("bench CPU % of a core", "client_cpu_pct"),
                               ("other processes' CPU %", "other_cpu_pct")]:
                if key is None:
                    out.append(f"| {label} | {fmt(r.get('lost'))} / {fmt(r.get('duplicates'))} / {fmt(r.get('out_of_order'))} | "
                               f"{fmt(theirs.get('lost'))} / {fmt(theirs.get('duplicates'))} / {fmt(theirs.get('out_of_order'))} | |")
                    continue
                ratio = ratios.get(key)
                if ratio is None and isinstance(r.get(key), (int, float)) and isinstance(theirs.get(key), (int, float)) and theirs.get(key):
                    ratio = round(r.get(key) / theirs.get(key), 3)
                out.append(f"| {label} | {fmt(r.get(key))} | {fmt(theirs.get(key))} | {'–' if ratio is None else f'{ratio:.2f}'} |")
    relay = [r for r in records if r.get("variant") == "relay"]
    if relay:
        out.append("")
        out.append("Relay mode (the benchmark publishes each token by `POST /v1/streams/{id}/events` with its send time "
                   "in `data`; the table's latency is end to end, send to receive):")
        out.append("")
        for r in relay:
            out.append(f"- {r['scenario']} {r['transport']} ({r.get('target', 'streamhub')}): end to end p50 {fmt(r.get('p50_ms'))} ms, p99 {fmt(r.get('p99_ms'))} ms, "
                       f"max {fmt(r.get('max_ms'))} ms; "
                       + (f"hub `ts` to receive p50 {fmt(r.get('hub_ts_p50_ms'))} ms, p99 {fmt(r.get('hub_ts_p99_ms'))} ms; "
                          if r.get("target", "streamhub") == "streamhub" else "no server timestamp; ")
                       + f"publish POST round trip p50 {fmt(r.get('publish_post_p50_ms'))} ms, "
                       f"p99 {fmt(r.get('publish_post_p99_ms'))} ms; published {fmt(r.get('published_per_s'))} tokens/s; "
                       f"sends behind schedule p50 {fmt(r.get('publish_behind_schedule_p50_ms'))} ms, "
                       f"p99 {fmt(r.get('publish_behind_schedule_p99_ms'))} ms; {fmt(r.get('publish_errors'))} publish errors")
    variants = [r for r in records if r.get("store") or r.get("auth")]
    if variants:
        out.append("")
        out.append("Hub variants (`--store memory,redis`, `--auth off,on`: one record each, same load, same run; "
                   "CPU per token = CPU time over delivered tokens; ratios against the first variant of the run):")
        out.append("")
        out.append("| scenario | transport | delivered tokens/s | p50 ms | p99 ms | lost | incomplete | hub CPU % | Redis CPU % "
                   "| hub µs/token | Redis µs/token | hub + Redis µs/token | tokens/s ratio | p99 ratio | target |")
        out.append("|---|---|" + "---:|" * 12 + "---|")
        for r in variants:
            check = r.get("variant_check") or {}
            verdict = "" if not check else (("met" if check.get("met") else "**missed**") + f" ({check.get('goal')})")
            out.append(f"| {r['scenario_label']} | {r['transport']} | {fmt(r.get('delivered_per_s'))} | {fmt(r.get('p50_ms'))} | "
                       f"{fmt(r.get('p99_ms'))} | {fmt(r.get('lost'))} | {fmt(r.get('incomplete'))} | {fmt(r.get('server_cpu_pct'))} | "
                       f"{fmt(r.get('redis_cpu_pct'))} | {fmt(r.get('hub_cpu_us_per_token'))} | {fmt(r.get('redis_cpu_us_per_token'))} | "
                       f"{fmt(r.get('hub_redis_cpu_us_per_token'))} | {fmt(check.get('delivered_ratio'))} | {fmt(check.get('p99_ratio'))} | {verdict} |")
    idle = [r for r in records if r["scenario"] == "idle-connections"]
    if idle:
        out.append("")
        out.append("Idle connections (hub RSS and live heap after a full GC, before and after opening them):")
        out.append("")
        for r in idle:
            top = ", ".join(f"`{c['class']}` {fmt(c.get('bytes_per_connection'))} B"
                            for c in (r.get("heap_growth_by_class") or [])[:5])
            out.append(f"- {r['transport']}: {fmt(r.get('connections_open_at_measure'))} open, "
                       f"{fmt(r.get('rss_per_connection_kb'))} KB RSS per connection "
                       f"({fmt(r.get('rss_per_connection_no_gc_kb'))} KB before the GC), "
                       f"{fmt(r.get('heap_per_connection_kb'))} KB live heap per connection; largest heap growth per connection: {top}")
    out.append("")
    out.append("Commands (each record's exact command line and time):")
    out.append("")
    for r in records:
        out.append(f"- `{r.get('command')}` — {r.get('time')}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
