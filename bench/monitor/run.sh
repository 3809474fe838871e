#!/bin/sh
# Issue 22's performance targets, side by side in one run (run on an idle machine):
#  - `adapt predict` on 1M UCI Adult rows: resident memory <= 300 MB, rows/s >= 3x a PyTorch-Python
#    loop with the same model, weights and batch size (peers/predict_loop.py, torch at 1 and 2 threads);
#  - `adapt drift` on 10,000 Adult rows in <= 5 s.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPT_BUILD_BENCH=ON
#   ninja -C build adapt adapt_tabular bench_serve_export
#   bench/monitor/run.sh build /work/shared/data
set -eu
build=${1:-build}
data=${2:?give the shared data folder}
here=$(cd "$(dirname "$0")" && pwd)
adapt="$build/bin/adapt"
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
/usr/bin/python3 "$here/../serve/make_inputs.py" "$data" "$work" 1
[ -f "$work/adult/model.adapt" ] || "$adapt" train "$work/adult.json" --out "$work/adult" --force > "$work/train.log"
"$build/bin/bench_serve_export" "$work/adult/model.adapt" "$work/adult-peer"

# 1M rows: adult.test's rows (comment line dropped) repeated, under a header naming the columns.
cols="age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"
if [ ! -f "$work/rows.csv" ]; then
  echo "$cols" > "$work/rows.csv"
  grep -v '^|' "$data/tabular/uci-adult/adult.test" | sed '/^\s*$/d; s/, /,/g; s/\.$//' > "$work/one.csv"
  i=0
  while [ "$(wc -l < "$work/rows.csv")" -le 1000000 ]; do cat "$work/one.csv" >> "$work/rows.csv"; i=$((i+1)); done
  head -n 1000001 "$work/rows.csv" > "$work/rows.tmp" && mv "$work/rows.tmp" "$work/rows.csv"
fi
echo "rows: $(($(wc -l < "$work/rows.csv") - 1))"

for threads in 1 2; do
  /usr/bin/time -f "adapt predict --threads $threads: %e s, peak RSS %M KB" \
    "$adapt" --threads "$threads" predict "$work/adult/model.adapt" "$work/rows.csv" --out "$work/preds.csv"
  PEER_MODEL_DIR="$work/adult-peer" /usr/bin/python3 "$here/peers/predict_loop.py" "$work/rows.csv" \
    "$work/peer_preds.csv" "$threads"
done

# Drift on 10,000 rows of adult.test in the reader's own format.
grep -v '^|' "$data/tabular/uci-adult/adult.test" | head -n 10000 > "$work/drift10k.data"
/usr/bin/time -f "adapt drift (10,000 rows): %e s, peak RSS %M KB" \
  "$adapt" drift "$work/adult/model.adapt" "$work/drift10k.data" --out "$work/drift" || true
