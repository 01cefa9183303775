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
    ("scenario", "scenario"),
    ("transport", "transport"),
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
    ("hub RSS MB", "server_rss_mb"),
    ("hub CPU %", "server_cpu_pct"),
    ("bench CPU %", "client_cpu_pct"),
    ("other CPU %", "other_cpu_pct"),
]


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
    records.sort(key=lambda r: (SCENARIO_ORDER.index(r["scenario"]) if r["scenario"] in SCENARIO_ORDER else 99,
                                r.get("transport", ""), r.get("target", "")))
    out = []
    machines = {json.dumps({k: v for k, v in r.get("machine", {}).items() if k != "loadavg_at_start"}, sort_keys=True)
                for r in records}
    for m in sorted(machines):
        m = json.loads(m)
        out.append(f"Machine: {m.get('cores')} cores ({m.get('cpu_model')}), {m.get('memory_gb')} GB RAM, "
                   f"{m.get('java')}, {m.get('os')}.")
    out.append("")
    out.append("| " + " | ".join(h for h, _ in COLUMNS) + " | target |")
    out.append("|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|---|")
    for r in records:
        check = r.get("target_check") or {}
        met = check.get("met")
        verdict = "" if met is None else ("met" if met else "**missed**")
        out.append("| " + " | ".join(fmt(r.get(k)) for _, k in COLUMNS) + f" | {verdict} |")
    out.append("")
    out.append("Targets (issue 7, 2-core reference machine):")
    out.append("")
    for r in records:
        check = r.get("target_check") or {}
        if check:
            verdict = "met" if check.get("met") else "**missed**"
            out.append(f"- {r['scenario']} ({r['transport']}): goal {check.get('goal')}; measured {check.get('measured')} — {verdict}")
    out.append("")
    out.append("Commands (each record's exact command line and time):")
    out.append("")
    for r in records:
        out.append(f"- `{r.get('command')}` — {r.get('time')}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
