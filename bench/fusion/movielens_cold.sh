#!/usr/bin/env bash
# MovieLens latest-small, cold items: the ids model (recsys.dot_bias) alone against core.fusion of ids,
# genres and title, RMSE on all validation ratings and on the cold ones. Validation only: the recipe's
# 20% test part stays unscored until the hybrid's settings are chosen.
#   bench/fusion/movielens_cold.sh BUILD_DIR [DATA_DIR] [OUT_DIR]
set -euo pipefail
build=${1:?usage: movielens_cold.sh BUILD_DIR [DATA_DIR] [OUT_DIR]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}
out=${3:-/tmp/adapt-bench-movielens-cold}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
sed "s|DATA/|$data/|g" "$here/movielens_hybrid.json" > "$out/hybrid.json"
# The same recipe with the ids branch's encoder as the whole model.
python3 - "$out/hybrid.json" > "$out/ids.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["model"] = r["model"]["branches"]["ids"]["encoder"]
r["inputs"] = r["inputs"][:1]
print(json.dumps(r, indent=2))
PY
for run in ids hybrid; do
  "$build/bin/adapt" --threads 2 train "$out/$run.json" --out "$out/$run" --force > "$out/$run.log"
  python3 "$here/peers/movielens_cold.py" "$build/bin/adapt" "$out/$run" "$data" valid
done
