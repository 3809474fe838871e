#!/usr/bin/env python3
"""Sums a Chrome trace of LibTorch's profiler (bench_serve_profile's TRACE.json) per operator: self time
(less the operators called inside it), total time and calls, per request. The profiler's own cost
inflates every figure; read them as shares.
  op_table.py TRACE.json [REQUESTS=500] [ROWS=25]"""
import collections
import json
import sys

events = [e for e in json.load(open(sys.argv[1])) if e.get("ph") == "X"]
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 500
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 25
events.sort(key=lambda e: (e["ts"], -e["dur"]))
self_us, total_us, calls = collections.Counter(), collections.Counter(), collections.Counter()
stack = []
for e in events:  # one thread: an event inside the one before it is a call it made
    while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
        stack.pop()
    if stack:
        self_us[stack[-1]["name"]] -= e["dur"]
    self_us[e["name"]] += e["dur"]
    total_us[e["name"]] += e["dur"]
    calls[e["name"]] += 1
    stack.append(e)
whole = sum(self_us.values())
print(f"{'self us':>8} {'share':>6} {'total us':>9} {'calls':>6}  operator (per request)")
for name, us in self_us.most_common(rows):
    print(f"{us / requests:8.1f} {us / whole:6.1%} {total_us[name] / requests:9.1f} {calls[name] / requests:6.1f}  {name}")
