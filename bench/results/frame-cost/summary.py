#!/usr/bin/env python3
# Medians of ab.sh's runs (bench/RESULTS.md, "what a frame costs").
import json, statistics, glob, os
here = os.path.dirname(os.path.abspath(__file__))
def bench(name):
    d = json.load(open(f"{here}/{name}.json")); s = d["steps"][0]; t = d["totals"]
    return dict(down=s["downstream"]["p99_ms"], down50=s["downstream"]["p50_ms"],
                up=s["upstream"]["p99_ms"], up50=s["upstream"]["p50_ms"],
                cpu=s["server_cpu_ms_per_call_minute"], rss=s["server_rss_kib"] / 1024,
                failed=s["failed_calls"], lost=t.get("bytes_lost"), dup=t.get("bytes_duplicated"))
def floor(name):
    r = json.load(open(f"{here}/{name}.json"))["runs"][0]
    return dict(down=r["down_p99_ms"], down50=r["down_p50_ms"], cpu=r["relay_cpu_ms_per_call_minute"],
                ok=r["all_delivered"])
for n in (100, 150):
    rows = {k: [(bench if k != "floor" else floor)(f"{k}-{n}-{i}") for i in (1, 2, 3)]
            for k in ("floor", "old", "new")}
    med = lambda k, f: statistics.median(r[f] for r in rows[k])
    print(f"calls {n}")
    for k in ("floor", "old", "new"):
        for f in ("down50", "down", "cpu") + (("up50", "up") if k != "floor" else ()):
            print(f"  {k:5} {f:6} " + ", ".join(f"{r[f]:.2f}" for r in rows[k]) + f"  median {med(k, f):.2f}")
        if k != "floor":
            print(f"  {k:5} failed/lost/dup " + "; ".join(f"{r['failed']}/{r['lost']}/{r['dup']}" for r in rows[k]))
        else:
            print("  floor all delivered", [r["ok"] for r in rows[k]])
    print(f"  down p99: old {med('old','down')/med('floor','down'):.2f}x floor, new {med('new','down')/med('floor','down'):.2f}x floor, new/old {med('new','down')/med('old','down'):.2f}x")
    print(f"  cpu: old {med('old','cpu')/med('floor','cpu'):.2f}x floor, new {med('new','cpu')/med('floor','cpu'):.2f}x floor")
# The server after the change with the harness after it too (today-N-R: the
# harness links the same protocol code, so it got lighter as well).
for n in (100, 150):
    rows = [bench(f"today-{n}-{i}") for i in (1, 2, 3)]
    fl = [floor(f"floor-{n}-{i}") for i in (1, 2, 3)]
    med = lambda rs, f: statistics.median(r[f] for r in rs)
    print(f"today {n}: down p99 " + ", ".join(f"{r['down']:.2f}" for r in rows) +
          f" median {med(rows, 'down'):.2f} ({med(rows, 'down') / med(fl, 'down'):.2f}x floor); cpu " +
          ", ".join(f"{r['cpu']:.1f}" for r in rows) +
          f" median {med(rows, 'cpu'):.1f} ({med(rows, 'cpu') / med(fl, 'cpu'):.2f}x floor); failed/lost/dup " +
          "; ".join(f"{r['failed']}/{r['lost']}/{r['dup']}" for r in rows))
