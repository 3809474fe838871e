#!/usr/bin/env bash
# The recsys step with 10M item rows against the step with 10k (issue 26: within 1.2x), measured as
# PAIRS interleaved pairs of runs (10M, then 10k), because on a shared VM one run's step time swings
# up to 2x with nothing else running. Prints every run, then each side's median and best, and their
# ratios, in words and as one JSON object (what bench/summarize.py reads).
# Then IN_PROCESS runs of both tables in one process (recsys_bench --versus: alternating blocks of
# steps, so both sides see the same spells of the host) and the median of their ratios.
# Usage: bench/recsys/step_ratio.sh BUILD_DIR [PAIRS=12] [IN_PROCESS=6]
set -euo pipefail
bench="${1:-build}/bin/recsys_bench"
pairs="${2:-12}"
in_process="${3:-6}"
[ -x "$bench" ] || { echo "step_ratio.sh: build recsys_bench first (cmake -DADAPT_BUILD_BENCH=ON)" >&2; exit 1; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for i in $(seq "$pairs"); do
  for items in 10000000 10000; do
    "$bench" --batch 1024 --items "$items" --threads 2 --steps 600 --warmup 100 --optimizer rowwise | tee -a "$log"
  done
done
for i in $(seq "$in_process"); do
  "$bench" --batch 1024 --items 10000000 --versus 10000 --threads 2 --steps 900 --warmup 100 --optimizer rowwise | tee -a "$log"
done
/usr/bin/python3 - "$log" <<'EOF'
import json, statistics, sys
lines = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
runs = [r for r in lines if "versus" not in r]
together = [r for r in lines if "versus" in r]
big = [r["step_ms"] for r in runs if r["items"] == 10000000]
small = [r["step_ms"] for r in runs if r["items"] == 10000]
peak = max(r["peak_rss_mb"] for r in runs if r["items"] == 10000000)
summary = {"step_ratio": {"pairs": len(big), "peak_rss_mb_10m": peak}}
for name, f in (("median", statistics.median), ("best", min)):
    summary["step_ratio"][name] = {"step_ms_10m": f(big), "step_ms_10k": f(small)}
    print(f"{name}: 10M {f(big):.3f} ms, 10k {f(small):.3f} ms, ratio {f(big) / f(small):.2f}x")
print(f"pairs {len(big)}, 10M peak {peak:.0f} MB")
if together:
    ratios = [r["ratio"] for r in together]
    summary["step_ratio"]["in_process"] = {"runs": len(together), "median_ratio": statistics.median(ratios),
                                           "step_ms_10m": statistics.median(r["step_ms"] for r in together),
                                           "step_ms_10k": statistics.median(r["versus_step_ms"] for r in together)}
    print(f"in one process, {len(together)} runs: ratios " + ", ".join(f"{x:.2f}" for x in ratios) +
          f"; median {statistics.median(ratios):.2f}x")
print(json.dumps(summary))
EOF
