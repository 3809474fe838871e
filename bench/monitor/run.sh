#!/bin/sh
# Issue 22's performance targets, side by side in one run (run on an idle machine):
#  - `adapt predict` on 1M UCI Adult rows: resident memory <= 300 MB, rows/s >= 3x a PyTorch-Python
#    loop with the same model, weights and batch size (peers/predict_loop.py, torch at 1 and 2 threads);
#  - `adapt drift` on 10,000 Adult rows in <= 5 s;
#  - per modality (issue 26: >= 2x the loop): the SMS Spam text classifier on 100,000 messages (the
#    collection repeated), against the same loop on the same weights.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPT_BUILD_BENCH=ON
#   ninja -C build adapt adapt_tabular adapt_text bench_serve_export
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

# adapt predict and the peer's loop on the same rows, at 1 and 2 threads.
compare() {  # NAME (adult, sms: WORK/NAME/model.adapt, WORK/NAME-peer) ROWS.csv
  for threads in 1 2; do
    /usr/bin/time -f "adapt predict $1 --threads $threads: %e s, peak RSS %M KB" \
      "$adapt" --threads "$threads" predict "$work/$1/model.adapt" "$2" --out "$work/$1_preds.csv"
    PEER_MODEL_DIR="$work/$1-peer" /usr/bin/python3 "$here/peers/predict_loop.py" "$2" \
      "$work/$1_peer_preds.csv" "$threads"
  done
}
compare adult "$work/rows.csv"

# Drift on 10,000 rows of adult.test in the reader's own format.
grep -v '^|' "$data/tabular/uci-adult/adult.test" | head -n 10000 > "$work/drift10k.data"
/usr/bin/time -f "adapt drift (10,000 rows): %e s, peak RSS %M KB" \
  "$adapt" drift "$work/adult/model.adapt" "$work/drift10k.data" --out "$work/drift" || true

# The SMS text classifier: 100,000 messages under a "text" header (CSV-quoted).
[ -f "$work/sms/model.adapt" ] || "$adapt" train "$work/sms.json" --out "$work/sms" --force > "$work/train-sms.log"
"$build/bin/bench_serve_export" "$work/sms/model.adapt" "$work/sms-peer"
/usr/bin/python3 - "$data/text/sms-spam-collection/SMSSpamCollection" "$work/sms_rows.csv" <<'EOF'
import csv, itertools, sys
texts = [line.split("\t", 1)[1].rstrip("\n") for line in open(sys.argv[1], encoding="utf-8", errors="replace")]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["text"])
    w.writerows([t] for t in itertools.islice(itertools.cycle(texts), 100000))
EOF
compare sms "$work/sms_rows.csv"
