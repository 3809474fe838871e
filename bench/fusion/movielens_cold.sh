#!/usr/bin/env bash
# MovieLens latest-small, cold items: the ids model (recsys.dot_bias) alone against the same model with
# the movie's genres as item features (LightFM's hybrid, dense gradients), RMSE on all ratings of a part and on its cold
# ones (the movie has at most 5 training ratings). PART is valid (default) or test: test trains with
# --final, which scores the sealed 20% test part (once: bench/fusion/README.md has the protocol).
#   bench/fusion/movielens_cold.sh BUILD_DIR [DATA_DIR] [OUT_DIR] [PART]
set -euo pipefail
build=${1:?usage: movielens_cold.sh BUILD_DIR [DATA_DIR] [OUT_DIR] [PART]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}
out=${3:-/tmp/adapt-bench-movielens-cold}
part=${4:-valid}
final=""; [ "$part" = test ] && final=--final
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
sed "s|DATA/|$data/|g" "$here/movielens_hybrid.json" > "$out/hybrid.json"
# The same recipe without the content (ids), and that with sparse gradients (ids_sparse: the ids
# model's own recipe, recipes/recsys-movielens.json's settings, the better ids model).
/usr/bin/python3 - "$out/hybrid.json" "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
del r["model"]["item_features"]
r["inputs"] = r["inputs"][:1]
json.dump(r, open(sys.argv[2] + "/ids.json", "w"), indent=2)
r["model"]["sparse"] = True
json.dump(r, open(sys.argv[2] + "/ids_sparse.json", "w"), indent=2)
PY
for run in ids_sparse ids hybrid; do
  "$build/bin/adapt" --threads 2 train "$out/$run.json" --out "$out/$run" --force $final > "$out/$run.log"
  /usr/bin/python3 "$here/peers/movielens_cold.py" "$build/bin/adapt" "$out/$run" "$data" "$part"
done
