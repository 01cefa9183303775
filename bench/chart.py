#!/usr/bin/env python3
"""Draws bench/results/latest.json as one self-contained HTML page of inline SVG charts.

usage: bench/chart.py [bench/results/latest.json] [-o bench/results/latest.html]

For every record with a per-second timeline: delivered tokens/s over time and, when the record has
`p50_ms_timeline`/`p99_ms_timeline`, p50/p99 latency over time. Records of the same scenario,
variant and transport against different servers (StreamHub vs Nchan) share one chart; the cluster
record draws its single/single-clustered/cluster variants as lines of one chart. Last, a bar chart
of p50/p99/max latency per record (log scale). python3 standard library only.
"""
import argparse
import html
import json
import math
import os
import sys

COLORS = {"streamhub": "#1f77b4", "nchan": "#d62728"}
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
W, H = 560, 250
ML, MR, MT, MB = 64, 12, 30, 40


def esc(s):
    return html.escape(str(s), quote=True)


def nice_step(span, ticks=5):
    raw = span / max(ticks, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def fmt_num(v):
    if v >= 10000:
        return f"{v / 1000:g}k"
    if v == int(v):
        return str(int(v))
    return f"{v:g}"


def short(v):
    return f"{v / 1000:.1f}k" if v >= 1000 else f"{v:.3g}"


def line_chart(title, xlabel, ylabel, series):
    """series: list of (name, values, color, dashed); values may hold None (gaps)."""
    values = [v for _, vals, _, _ in series for v in vals if v is not None]
    n = max(len(vals) for _, vals, _, _ in series)
    ymax = max(values) if values else 1
    step = nice_step(ymax or 1)
    ytop = step * math.ceil((ymax or 1) / step)
    xmax = max(n - 1, 1)
    pw, ph = W - ML - MR, H - MT - MB

    def px(i):
        return ML + pw * i / xmax

    def py(v):
        return MT + ph * (1 - v / ytop)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
           f'<text x="{W / 2}" y="16" class="t">{esc(title)}</text>']
    y = 0.0
    while y <= ytop + 1e-9:
        out.append(f'<line x1="{ML}" x2="{W - MR}" y1="{py(y):.1f}" y2="{py(y):.1f}" class="g"/>'
                   f'<text x="{ML - 4}" y="{py(y) + 4:.1f}" class="yl">{fmt_num(round(y, 6))}</text>')
        y += step
    xstep = max(1, int(nice_step(xmax, 8)))
    for i in range(0, xmax + 1, xstep):
        out.append(f'<text x="{px(i):.1f}" y="{MT + ph + 14}" class="xl">{i}</text>')
    out.append(f'<line x1="{ML}" x2="{ML}" y1="{MT}" y2="{MT + ph}" class="a"/>'
               f'<line x1="{ML}" x2="{W - MR}" y1="{MT + ph}" y2="{MT + ph}" class="a"/>'
               f'<text x="{ML + pw / 2}" y="{H - 6}" class="al">{esc(xlabel)}</text>'
               f'<text transform="translate(13 {MT + ph / 2}) rotate(-90)" class="al">{esc(ylabel)}</text>')
    out_paths, out_legend = [], [f'<rect x="{W - MR - 154}" y="{MT + 1}" width="152" height="{14 * len(series) + 2}" '
                                 'fill="#fff" fill-opacity="0.85"/>']
    for idx, (name, vals, color, dashed) in enumerate(series):
        d, pen = [], "M"
        for i, v in enumerate(vals):
            if v is None:
                pen = "M"
                continue
            d.append(f"{pen}{px(i):.1f},{py(v):.1f}")
            pen = "L"
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        if d:
            out_paths.append(f'<path d="{" ".join(d)}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        if len(d) == 1:
            x, yy = d[0][1:].split(",")
            out_paths.append(f'<circle cx="{x}" cy="{yy}" r="3" fill="{color}"/>')
        ly = MT + 8 + 14 * idx
        out_legend.append(f'<line x1="{W - MR - 150}" x2="{W - MR - 128}" y1="{ly}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash}/><text x="{W - MR - 124}" y="{ly + 4}" class="lg">{esc(name)}</text>')
    out += out_paths + out_legend
    out.append("</svg>")
    return "".join(out)


def bar_chart(title, rows):
    """rows: list of (label, [(name, value, color)]); horizontal bars on a log10 axis in ms."""
    vals = [v for _, bars in rows for _, v, _ in bars if v]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    bar_h, gap, label_w = 10, 8, 300
    width = 1120
    pw = width - label_w - 30
    height = MT + 20 + len(rows) * (3 * bar_h + gap) + 40

    def px(v):
        return label_w + pw * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">', f'<text x="{width / 2}" y="16" class="t">{esc(title)}</text>']
    top, bottom = MT + 20, height - 40
    d = lo
    while d <= hi * 1.0001:
        out.append(f'<line x1="{px(d):.1f}" x2="{px(d):.1f}" y1="{top}" y2="{bottom}" class="g"/>'
                   f'<text x="{px(d):.1f}" y="{bottom + 14}" class="xl">{fmt_num(d)}</text>')
        d *= 10
    out.append(f'<text x="{label_w + pw / 2}" y="{height - 8}" class="al">latency, ms (log scale)</text>')
    for i, (name, _, color) in enumerate(rows[0][1]):
        x = label_w + 10 + 90 * i
        out.append(f'<rect x="{x}" y="{MT - 4}" width="14" height="8" fill="{color}"/>'
                   f'<text x="{x + 18}" y="{MT + 4}" class="lg">{esc(name)}</text>')
    y = top
    for label, bars in rows:
        out.append(f'<text x="{label_w - 6}" y="{y + 1.5 * bar_h + 4}" class="yl">{esc(label)}</text>')
        for j, (name, v, color) in enumerate(bars):
            if v:
                out.append(f'<rect x="{label_w}" y="{y + j * bar_h}" width="{px(v) - label_w:.1f}" '
                           f'height="{bar_h - 1}" fill="{color}"><title>{esc(label)} {name} {v} ms</title></rect>'
                           f'<text x="{px(v) + 3:.1f}" y="{y + j * bar_h + 8}" class="bv">{short(v)}</text>')
        y += 3 * bar_h + gap
    out.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{bottom}" class="a"/></svg>')
    return "".join(out)


def label(r, with_target=True):
    parts = [r.get("scenario"), r.get("variant"), r.get("transport")]
    if with_target:
        parts.append(r.get("target"))
    return " / ".join(str(p) for p in parts if p)


def lines_of(r):
    """(name, record-like) pairs to draw for one record: its variants for the cluster record."""
    variants = r.get("variants")
    if isinstance(variants, dict) and any("delivered_per_s_timeline" in v for v in variants.values()):
        return [(k, v) for k, v in variants.items() if "delivered_per_s_timeline" in v]
    return [(r.get("target", "?"), r)]


def groups(records):
    """Records with timelines; same scenario/variant/transport against different targets share a chart."""
    out, index = [], {}
    for r in records:
        if not r.get("delivered_per_s_timeline"):
            continue
        key = (r.get("scenario"), r.get("variant"), r.get("transport"))
        g = index.get(key)
        if g is not None and r.get("target") not in {x.get("target") for x in g}:
            g.append(r)
        else:
            index[key] = [r]
            out.append(index[key])
    return out


def color_for(name, i):
    return COLORS.get(name) if name in COLORS else PALETTE[i % len(PALETTE)]


def charts_for(group):
    first = group[0]
    targets = [r.get("target") for r in group]
    title = label(first, with_target=False) + " / " + " vs ".join(str(t) for t in targets)
    lines = [(name, rec) for r in group for name, rec in lines_of(r)]
    if len(group) == 1 and len(lines) == 1:
        title = label(first)
    series = [(name, rec["delivered_per_s_timeline"], color_for(name, i), False)
              for i, (name, rec) in enumerate(lines)]
    offered = first.get("offered_per_s")
    if offered and len(lines) == 1:
        n = len(series[0][1])
        series.append((f"offered {fmt_num(offered)}/s", [offered] * n, "#999999", True))
    cells = [line_chart(title + " — delivered", "seconds since start", "tokens/s", series)]
    lat = []
    for i, (name, rec) in enumerate(lines):
        if rec.get("p50_ms_timeline"):
            c = color_for(name, i)
            lat.append((f"{name} p50", rec["p50_ms_timeline"], c, False))
            lat.append((f"{name} p99", rec.get("p99_ms_timeline", []), c, True))
    if lat:
        cells.append(line_chart(title + " — latency", "seconds since start", "ms", lat))
    else:
        cells.append('<div class="na">no per-second latency in this record '
                     f'(p50 {first.get("p50_ms")} ms, p99 {first.get("p99_ms")} ms overall)</div>')
    return cells


def build(records, source):
    body = []
    for g in groups(records):
        body.append('<div class="row">' + "".join(charts_for(g)) + "</div>")
    rows = []
    for r in records:
        if r.get("p50_ms") is None:
            continue
        name = label(r)
        if "not per-token" in str(r.get("latency_kind", "")):
            name += " (whole replay)"
        rows.append((name, [("p50", r.get("p50_ms"), "#6baed6"), ("p99", r.get("p99_ms"), "#2171b5"),
                            ("max", r.get("max_ms"), "#08306b")]))
    if rows:
        body.append('<div class="row">' + bar_chart("latency per record: p50 / p99 / max", rows) + "</div>")
    times = sorted(r["time"] for r in records if r.get("time"))
    machine = next((r["machine"] for r in records if isinstance(r.get("machine"), dict)), {})
    sub = f"{len(records)} records from {esc(source)}"
    if times:
        sub += f", {esc(times[0])} to {esc(times[-1])}"
    if machine:
        sub += f"; {esc(machine.get('cores'))} cores, {esc(machine.get('cpu_model'))}"
    style = ("body{font:14px sans-serif;margin:16px;color:#222}h1{font-size:20px;margin:0 0 4px}"
             ".row{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}svg{background:#fff;border:1px solid #ddd}"
             ".t{font-size:13px;font-weight:bold;text-anchor:middle}.g{stroke:#eee}.a{stroke:#555}"
             ".yl{font-size:11px;text-anchor:end;fill:#444}.xl{font-size:11px;text-anchor:middle;fill:#444}"
             ".al{font-size:12px;text-anchor:middle;fill:#222}.lg{font-size:11px;fill:#222}.bv{font-size:9px;fill:#444}"
             ".na{width:560px;height:250px;display:flex;align-items:center;justify-content:center;"
             "border:1px dashed #ccc;color:#777;font-size:13px;text-align:center}")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>StreamHub benchmark</title>"
            f"<style>{style}</style></head><body><h1>StreamHub benchmark</h1><div>{sub}. Solid: p50, dashed: "
            "p99 (latency) or the offered rate (throughput). Latency is per the record's latency_kind.</div>"
            + "\n".join(body) + "</body></html>\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input", nargs="?", default=os.path.join(here, "results", "latest.json"))
    p.add_argument("-o", "--output")
    a = p.parse_args()
    out = a.output or os.path.splitext(a.input)[0] + ".html"
    with open(a.input) as f:
        records = json.load(f)
    if isinstance(records, dict):
        records = [records]
    page = build(records, os.path.relpath(a.input, os.path.dirname(here)))
    with open(out, "w") as f:
        f.write(page)
    print(f"chart: {out} ({len(page.encode()) // 1024} KB)", file=sys.stderr)


if __name__ == "__main__":
    main()
