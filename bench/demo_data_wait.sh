#!/usr/bin/env bash
# Runs every demo (`adapt demo all`) and prints, per demo run, the largest share of an epoch spent
# waiting for a batch (history.csv's data_wait_pct). Target (issue 3): at most 5% on each demo.
#   bench/demo_data_wait.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build="${1:-build}"
out="${2:-$(mktemp -d)}"
mkdir -p "$out"
"$build/bin/adapt" demo all --out "$out" >"$out/demo.log" 2>&1 || { tail -20 "$out/demo.log"; exit 1; }
printf '%-34s %8s %s\n' run epochs max_data_wait_pct
find "$out" -name history.csv | sort | while read -r h; do
  awk -F, -v run="${h#"$out"/}" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "data_wait_pct") c = i; next }
    { n++; if ($c > m) m = $c }
    END { printf "%-34s %8d %.2f\n", run, n, m }' "$h"
done
