#!/usr/bin/env bash
# The recsys step with 10M item rows against the step with 10k (issue 26: within 1.2x), measured as
# PAIRS interleaved pairs of runs (10M, then 10k), because on a shared VM one run's step time swings
# up to 2x with nothing else running. Prints every run, then each side's median and best, and their
# ratios, in words and as one JSON object (what bench/summarize.py reads).
# Usage: bench/recsys/step_ratio.sh BUILD_DIR [PAIRS=12]
set -euo pipefail
bench="${1:-build}/bin/recsys_bench"
pairs="${2:-12}"
[ -x "$bench" ] || { echo "step_ratio.sh: build recsys_bench first (cmake -DADAPT_BUILD_BENCH=ON)" >&2; exit 1; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for i in $(seq "$pairs"); do
  for items in 10000000 10000; do
    "$bench" --batch 1024 --items "$items" --threads 2 --steps 600 --warmup 100 --optimizer rowwise | tee -a "$log"
  done
done
/usr/bin/python3 - "$log" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
big = [r["step_ms"] for r in runs if r["items"] == 10000000]
small = [r["step_ms"] for r in runs if r["items"] == 10000]
peak = max(r["peak_rss_mb"] for r in runs if r["items"] == 10000000)
summary = {"step_ratio": {"pairs": len(big), "peak_rss_mb_10m": peak}}
for name, f in (("median", statistics.median), ("best", min)):
    summary["step_ratio"][name] = {"step_ms_10m": f(big), "step_ms_10k": f(small)}
    print(f"{name}: 10M {f(big):.3f} ms, 10k {f(small):.3f} ms, ratio {f(big) / f(small):.2f}x")
print(f"pairs {len(big)}, 10M peak {peak:.0f} MB")
print(json.dumps(summary))
EOF
